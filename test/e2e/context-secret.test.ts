import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// A secret inside an encryption context, through the real CLI: the Node dynamic-provider host
// declares no secret support, so the engine strips the secret marker before check and the
// provider's own refusal never fires; the context would then sit in clear in the envelope output,
// state and backups. The SDK refuses it before registration, for a value's context and for a
// recipient's: the preview fails with our sentence, no stack trace, nothing encrypted or stored.

const ACCESS_KEY = { accessKeyId: "LTAIcontextsecret", accessKeySecret: "context-secret-e2e-access-key-9a8b7c" };

describe("a secret in an encryption context, through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const tenant = `tenant-${randomBytes(12).toString("hex")}`;
  const password = `password-${randomBytes(12).toString("hex")}`;

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: [
          { keyId: "key-sym", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-sym-2", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT" },
        ],
        certificates: [],
      },
    });
    project = await PulumiProject.forEmulator(root, emulator, ACCESS_KEY, "dev", join(__dirname, "context-secret-program/index.js"), "kms-context-secret");
    await project.configure({}, { tenant, dbPassword: password });
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  // recipients-output and recipients-promise: security round 4, item 3 (a list given whole was not inspected).
  for (const [where, property] of [["value", "encryptionContext"], ["recipient", "recipients\\[1\\]\\.encryptionContext"],
    ["recipients-output", "recipients\\[1\\]\\.encryptionContext"], ["recipients-promise", "recipients\\[1\\]\\.encryptionContext"]] as const) {
    it(`a secret in the ${where}'s context: preview and up fail with our sentence, nothing encrypted or stored`, async () => {
      await project.ok("config", "set", "where", where);
      emulator.resetStats();
      for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
        const run = await project.pulumi(...command);
        assert.notEqual(run.code, 0, `${command[0]} fails`);
        const printed = run.stdout + run.stderr;
        assert.match(printed, new RegExp(`${property} holds a secret; the context is stored in state and in every envelope as plain text`));
        assert.doesNotMatch(printed, /at .*\.(js|ts):\d+|RunError:/, "no stack trace");
      }
      assert.equal(realEncryptions(emulator.stats()), 0);
      await project.assertNothingStored([tenant, password], `secret in the ${where}'s context`);
    });
  }
});

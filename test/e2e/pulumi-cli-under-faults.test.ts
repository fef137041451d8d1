import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { opensslDecrypt } from "../support/openssl";
import { secretForms } from "../support/secret-forms";
import { PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// 200 values through the real CLI while the emulator throttles at 10 QPS (a burst of 10, well
// under what the provider sends: throttled calls are counted and must occur) and fails 5% of calls;
// then an `up` interrupted with SIGINT midway, and a re-run that must converge with every value
// present, decryptable, and no plaintext stored anywhere.

const ACCESS_KEY = { accessKeyId: "LTAIe2eload", accessKeySecret: "e2e-load-secret-9z8y7x6w5v" };
const COUNT = 200;
const keys = ["key-rsa2048", "key-rsa3072", "key-sm2"];

describe("the real CLI under throttling and faults, interrupted and re-run", { timeout: 30 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const plaintexts: Record<string, string> = {};
  const values: Record<string, Record<string, string>> = {};

  const assertAllDecrypt = async () => {
    const { ciphertexts, details } = (await project.outputs()) as Record<string, Record<string, Record<string, string>>>;
    assert.equal(Object.keys(ciphertexts!).length, COUNT);
    for (const name of Object.keys(values)) {
      const d = details![name]!;
      assert.equal(opensslDecrypt(privateKeyFile(join(root, "keys"), d), d.algorithm!, String(ciphertexts![name])).toString(), plaintexts[name], name);
    }
  };
  const nothingStored = async () => {
    const stored = [await project.everythingStored(), ...project.transcript].join("\n");
    for (const secret of [...Object.values(plaintexts), ACCESS_KEY.accessKeySecret]) {
      for (const form of secretForms(secret)) assert.equal(stored.includes(form), false, "a plaintext or the access key secret is stored");
    }
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      keysDir: join(root, "keys"),
      qps: 10,
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: keys.map((keyId, i) => ({ keyId, keySpec: (["RSA_2048", "RSA_3072", "EC_SM2"] as const)[i]!, keyUsage: "ENCRYPT/DECRYPT" as const })),
        certificates: [],
      },
    });
    for (let i = 0; i < COUNT; i++) {
      const name = `value-${String(i).padStart(3, "0")}`;
      values[name] = { keyId: keys[i % keys.length]! };
      plaintexts[name] = `load-${i}-${randomBytes(16).toString("hex")}`;
    }
    project = await PulumiProject.forEmulator(root, emulator, ACCESS_KEY, "load");
    await project.configure({ values: JSON.stringify(values) }, { plaintexts: JSON.stringify(plaintexts) });
    emulator.setFaults({ errorRate: 0.05 });
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("an up interrupted by SIGINT midway, then re-run: all 200 values, nothing lost", async (t) => {
    // Interrupt once a quarter of the values have been encrypted.
    const encrypted = () => {
      const { calls, dryRunCalls } = emulator.stats();
      return (calls.AsymmetricEncrypt ?? 0) - (dryRunCalls.AsymmetricEncrypt ?? 0);
    };
    const interrupted = await project.interruptWhen(["up", "--yes", "--skip-preview"], () => encrypted() >= COUNT / 4);
    assert.notEqual(interrupted.code, 0, "the interrupted up did not finish");
    const partial = JSON.parse((await project.ok("stack", "export")).stdout);
    const created = (partial.deployment.resources ?? []).filter((r: { type: string }) => r.type.endsWith(":EncryptedValue")).length;
    assert.ok(created > 0 && created < COUNT, `the interruption left ${created} of ${COUNT} values`);

    const rerun = await project.pulumi("up", "--yes", "--skip-preview");
    assert.equal(rerun.code, 0, rerun.stdout.slice(-3000) + rerun.stderr.slice(-3000));
    t.diagnostic(`interrupted after ${created} of ${COUNT}; emulator: ${JSON.stringify(emulator.stats())}`);
    assert.ok(emulator.stats().throttled > 0, "the emulator throttled calls, and the provider retried them to the end");
    await assertAllDecrypt();

    const again = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(new Set(PulumiProject.ops(again).values()), new Set(["same"]));
    await nothingStored();
  });
});

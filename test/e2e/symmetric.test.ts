import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { realEncryptions } from "../support/emulator-stats";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";
import { applicationEnv } from "../support/application-env";

// A symmetric key with an encryption context through the real Pulumi CLI and the packed package,
// against the emulator, as a user leaving alicloud.kms.Ciphertext would deploy it: preview is a
// DryRun, up one Encrypt; the installed decrypt() and CLI open the envelope, and the bare ciphertext
// only with its context; a new key version re-encrypts once; refresh reports a disabled key; no
// plaintext in state, history, outputs or anything printed.

const ACCESS_KEY = { accessKeyId: "LTAIsymmetrice2e", accessKeySecret: "symmetric-e2e-access-key-secret-7d6e5f" };
const context = { app: "billing", stage: "prod" };
type Json = Record<string, unknown>;
type Outputs = { envelope: string; ciphertextBlob: string; target: Record<string, unknown>; whole: Json };

describe("a symmetric key with an encryption context through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let env: NodeJS.ProcessEnv;
  const markers: string[] = [];

  const setPassword = async () => {
    const value = `db-password-${randomBytes(16).toString("hex")}`;
    markers.push(value);
    await project.ok("config", "set", "--secret", "dbPassword", value);
    return value;
  };
  const outputs = async () => (await project.outputs()) as Outputs;
  /** The installed CLI, as an operator runs it; resolves to its exit code and output. */
  const cli = (args: string[], input: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(join(project.dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted"), args, { env },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    child.stdin!.end(input);
  });
  const decryptInstalled = (input: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const script = "require('pulumi-alicloud-kms-encrypted/decrypt').decrypt(JSON.parse(process.argv[1]))" +
      ".then((b) => process.stdout.write(b), (e) => { process.stderr.write(`${e.code}: ${e.message}`); process.exit(1); })";
    execFile(process.execPath, ["-e", script, input], { cwd: project.dir, env },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
  });
  const nothingStored = (step: string) => project.assertNothingStored(markers, step);
  let password = "";

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: [{ keyId: "key-sym", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/billing"] }],
        certificates: [],
      },
    });
    env = { PATH: process.env.PATH, ...applicationEnv(emulator, ACCESS_KEY) };
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "symmetric-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-symmetric");
    await project.ok("stack", "init", "dev");
    await project.configure({ "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, keyId: "alias/billing" });
    await project.ok("config", "set", "--path", "context.app", context.app);
    await project.ok("config", "set", "--path", "context.stage", context.stage);
    password = await setPassword();
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("preview is one DryRun; up is one Encrypt; the envelope opens, the bare ciphertext only with its context", async () => {
    emulator.resetStats();
    const preview = await project.ok("preview", "--json");
    assert.equal(PulumiProject.ops(preview).get("db-password"), "create");
    assert.equal(realEncryptions(emulator.stats()), 0);
    assert.equal(emulator.stats().dryRunCalls.Encrypt, 1);
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 1);
    const o = await outputs();
    assert.deepEqual(o.target.encryptionContext, context);
    assert.equal(o.target.algorithm, "SYMMETRIC_DEFAULT");
    assert.equal(o.target.keyId, "key-sym");

    const viaEnvelope = await decryptInstalled(JSON.stringify(o.envelope));
    assert.equal(viaEnvelope.stdout, password, viaEnvelope.stderr);
    assert.equal((await cli(["decrypt"], o.envelope)).stdout, password);
    const bare = { ciphertextBlob: o.ciphertextBlob, keyId: "key-sym", algorithm: "SYMMETRIC_DEFAULT", region: o.target.region };
    assert.equal((await decryptInstalled(JSON.stringify({ ...bare, encryptionContext: context }))).stdout, password);
    const withoutContext = await decryptInstalled(JSON.stringify(bare));
    assert.equal(withoutContext.code, 1);
    assert.match(withoutContext.stderr, /^InvalidCiphertext: .*the encryption context differs from the one it was encrypted with/);
    const flags = ["--key-id", "key-sym", "--algorithm", "SYMMETRIC_DEFAULT", "--region", String(o.target.region)];
    assert.equal((await cli(["decrypt", ...flags, "--encryption-context", "app=billing", "--encryption-context", "stage=prod"], o.ciphertextBlob)).stdout, password);
    const wrong = await cli(["decrypt", ...flags, "--encryption-context", "app=billing", "--encryption-context", "stage=dev"], o.ciphertextBlob);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /encryption context differs/);
    for (const r of [withoutContext, wrong]) assert.doesNotMatch(r.stderr, new RegExp(password));
    assert.equal("plaintext" in o.whole, false);
    await nothingStored("create");
  });

  it("unchanged stays; a new key version re-encrypts once; a changed context re-encrypts", async () => {
    emulator.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password") ?? "same", "same");
    assert.equal(realEncryptions(emulator.stats()), 0);

    const before = await outputs();
    const { KeyVersion } = await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-sym" });
    emulator.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password"), "update");
    assert.equal(realEncryptions(emulator.stats()), 1);
    const rotated = await outputs();
    assert.equal(rotated.target.keyVersionId, (KeyVersion as Json).KeyVersionId);
    assert.notEqual(rotated.ciphertextBlob, before.ciphertextBlob);
    assert.equal((await cli(["decrypt"], rotated.envelope)).stdout, password);

    await project.ok("config", "set", "--path", "context.stage", "staging");
    emulator.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password"), "update");
    assert.equal(realEncryptions(emulator.stats()), 1);
    const moved = await outputs();
    assert.deepEqual(moved.target.encryptionContext, { ...context, stage: "staging" });
    assert.equal((await cli(["decrypt"], moved.envelope)).stdout, password);
    await nothingStored("rotation and context");
  });

  it("any KMS client's Decrypt gets the password itself; a value 0.1 stored (base64 sent to Encrypt) re-encrypts once, the preview says why", async () => {
    const kms = officialClient(emulator);
    const now = await outputs();
    const contextNow = JSON.stringify(now.target.encryptionContext);
    // What kmsEncryptedPassword, or an application with an official SDK, reads.
    assert.equal((await call(kms, "Decrypt", { CiphertextBlob: now.ciphertextBlob, EncryptionContext: contextNow })).Plaintext, password);

    // The state as 0.1 left it: Encrypt was given base64 of the password, and nothing says so.
    const exported = JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: Json[] } };
    const resource = exported.deployment.resources.find((r) => String(r.type).endsWith(":EncryptedValue"))!;
    const old = await call(kms, "Encrypt", { KeyId: "key-sym", Plaintext: Buffer.from(password).toString("base64"), EncryptionContext: contextNow });
    const { plaintextEncoding: _marker, ...json } = JSON.parse(Buffer.from(now.envelope, "base64").toString()) as Json;
    const { plaintextEncoding: _output, ...outs } = resource.outputs as Json;
    resource.outputs = { ...outs, ciphertextBlob: old.CiphertextBlob, envelope: Buffer.from(JSON.stringify({ ...json, ciphertextBlob: old.CiphertextBlob })).toString("base64") };
    const file = join(root, "legacy-state.json");
    writeFileSync(file, JSON.stringify(exported));
    await project.ok("stack", "import", "--file", file);
    assert.equal((await cli(["decrypt"], (await outputs()).envelope)).stdout, password, "0.1's envelope still opens");

    const preview = await project.ok("preview");
    assert.match(preview.stdout + preview.stderr, /will be re-encrypted: its ciphertext holds base64 of the plaintext \(written before 0\.2\); re-encrypted once/);
    emulator.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password"), "update");
    assert.equal(realEncryptions(emulator.stats()), 1);
    const after = await outputs();
    assert.equal((await call(kms, "Decrypt", { CiphertextBlob: after.ciphertextBlob, EncryptionContext: contextNow })).Plaintext, password);
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password") ?? "same", "same");
    await nothingStored("0.1 state");
  });

  it("refresh reports a disabled key; the next up after enabling it re-encrypts; destroy leaves nothing", async () => {
    await call(officialClient(emulator), "DisableKey", { KeyId: "key-sym" });
    await project.ok("refresh", "--run-program", "--yes", "--skip-preview");
    assert.match(String((await outputs()).target.staleReason), /key key-sym is Disabled/);
    await call(officialClient(emulator), "EnableKey", { KeyId: "key-sym" });
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password"), "update");
    assert.equal((await outputs()).target.staleReason, "");
    await project.ok("destroy", "--yes", "--skip-preview");
    await nothingStored("destroy");
  });
});

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { realEncryptions } from "../support/emulator-stats";
import { PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// EncryptedRandomPassword through the real CLI and the packed package, against the emulator: the
// preview encrypts nothing; up draws a password that only KMS's Decrypt (as kmsEncryptedPassword's
// provider calls it) ever shows; state, backend files, outputs and every command's output hold it in
// no form; a no-op up writes nothing to KMS; a key rotation keeps the password through one
// ReEncrypt; a keepers change draws one new password; a ciphertext put back from the backend's
// history before a rotation is never carried over; destroy leaves nothing.

const ACCESS_KEY = { accessKeyId: "LTAIpassworde2e", accessKeySecret: "password-e2e-access-key-secret-4e5f6a" };

describe("EncryptedRandomPassword through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const seen: string[] = [];
  type Resource = { type: string; outputs: Record<string, unknown> };
  type State = { deployment: { resources: Resource[] } };
  let olderState: State | undefined;
  const exported = async () => JSON.parse((await project.ok("stack", "export")).stdout) as State;
  const passwordIn = (state: State) => state.deployment.resources.find((r) => r.type.endsWith(":EncryptedRandomPassword"))!;
  type Counts = Record<string, number>;
  /** The calls the emulator served for real since the last reset (DryRuns left out). */
  const served = () => {
    const { calls, dryRunCalls } = emulator.stats() as { calls: Counts; dryRunCalls: Counts };
    return (action: string) => (calls[action] ?? 0) - (dryRunCalls[action] ?? 0);
  };
  const password = async () => {
    const o = await project.outputs();
    const opened = await call(officialClient(emulator), "Decrypt", {
      CiphertextBlob: String(o.ciphertextBlob), EncryptionContext: JSON.stringify({ app: "orders" }) });
    const text = String(opened.Plaintext);
    seen.push(text);
    return { text, keyVersionId: String(o.keyVersionId) };
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({ seed: { accessKeys: [ACCESS_KEY], certificates: [],
      keys: [{ keyId: "key-db", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" }] } });
    project = await PulumiProject.forEmulator(root, emulator, ACCESS_KEY, "dev", join(__dirname, "random-password-program/index.js"), "kms-password");
    await project.configure({ keyId: "key-db" });
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("preview encrypts nothing; up draws one password that meets the policy, and nothing stores or prints it", async () => {
    emulator.resetStats();
    await project.ok("preview");
    const previewed = served();
    for (const action of ["Encrypt", "ReEncrypt", "Decrypt"]) assert.equal(previewed(action), 0, `${action} at preview`);
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 1);
    const { text } = await password();
    assert.equal(text.length, 24);
    await project.assertNothingStored(seen, "after up");
  });

  it("a no-op up writes nothing to KMS; a rotation keeps the password through one ReEncrypt; keepers draw a new one", async () => {
    const before = await password();
    emulator.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password") ?? "same", "same");
    const noop = served();
    for (const action of ["Encrypt", "ReEncrypt", "Decrypt"]) assert.equal(noop(action), 0, `${action} at a no-op up`);

    const { KeyVersion } = await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-db" });
    emulator.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("preview", "--json")).get("db-password"), "update");
    assert.equal(served()("ReEncrypt"), 0, "the preview moves nothing");
    await project.ok("up", "--yes", "--skip-preview");
    const rotated = served();
    assert.equal(rotated("ReEncrypt"), 1);
    assert.equal(rotated("Encrypt") + rotated("Decrypt"), 0, "the password never left KMS");
    const after = await password();
    assert.equal(after.text, before.text, "the same password");
    assert.equal(after.keyVersionId, (KeyVersion as Record<string, unknown>).KeyVersionId);

    olderState = await exported();
    await project.configure({ generation: "2" });
    emulator.resetStats();
    const replaced = await project.ok("up", "--yes", "--skip-preview", "--json");
    assert.match(replaced.stdout, /"op":\s*"create-replacement"[^]*db-password/, "the resource is replaced");
    assert.equal(realEncryptions(emulator.stats()), 1, "one new password");
    assert.notEqual((await password()).text, before.text);
    await project.assertNothingStored(seen, "after the rotation and the new password");
  });

  it("a ciphertext swapped in state before a rotation is not carried over: the preview fails naming keepers, state unchanged", async () => {
    const state = await exported();
    const older = passwordIn(olderState!);
    const current = passwordIn(state);
    // Whoever can write the backend puts back the previous password's ciphertext (its tags with it).
    for (const field of ["ciphertextBlob", "envelope", "integrityTag", "outputsTag"]) current.outputs[field] = older.outputs[field];
    const file = join(root, "swapped.json");
    writeFileSync(file, JSON.stringify(state));
    await project.ok("stack", "import", "--file", file);
    await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-db" });
    emulator.resetStats();
    const refused = await project.pulumi("preview");
    assert.notEqual(refused.code, 0);
    assert.match((refused.stdout + refused.stderr).replace(/\s+/g, " "),
      /does not match its integrity tag .* it is not carried over, and no password is drawn unless you ask: change a value in keepers/);
    assert.equal(served()("ReEncrypt") + realEncryptions(emulator.stats()), 0);
    await assert.rejects(project.ok("up", "--yes", "--skip-preview"));
    assert.equal(served()("ReEncrypt") + realEncryptions(emulator.stats()), 0, "nothing carried over, nothing drawn");
  });

  it("destroy leaves nothing", async () => {
    await project.ok("destroy", "--yes", "--skip-preview");
    const state = JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources?: unknown[] } };
    assert.equal(state.deployment.resources?.length ?? 0, 0);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, officialClient } from "../support/kms-client";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { opensslDecrypt } from "../support/openssl";
import { deploy, type Deployment, encryptCalls } from "./fixtures";

// The provider driven through @pulumi/pulumi's dynamic provider host exactly as the engine drives
// it, against the emulator: preview, create, no-op, update on change and on rotation, refresh.

type Props = Record<string, unknown>;

const READ_ONLY_ACTIONS = new Set(["DescribeKey", "DescribeKeyVersion", "DescribeCertificate"]);

// Every key spec × algorithm, certificates, an alias, an ARN and binary input.
const values: Record<string, Props> = {
  "rsa2048-sha256": { plaintext: "db-password-1", keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_256" },
  "rsa2048-sha1": { plaintext: "db-password-2", keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_1" },
  "rsa3072-sha256": { plaintext: "api-token-3", keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_256" },
  "rsa3072-sha1": { plaintext: "api-token-4", keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_1" },
  sm2: { plaintext: "国密 SM2 secret", keyId: "key-sm2", algorithm: "SM2PKE" },
  "sm2-default-algorithm": { plaintext: "no algorithm given", keyId: "key-sm2" },
  "cert-rsa": { plaintext: "cert secret", certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_256" },
  "cert-sm2": { plaintext: "cert sm2 secret", certificateId: "cert-sm2", algorithm: "SM2PKE" },
  alias: { plaintext: "via alias", keyId: "alias/app", algorithm: "RSAES_OAEP_SHA_256" },
  arn: { plaintext: "via arn", keyId: "acs:kms:cn-hangzhou:1234567890123456:key/key-rsa2048", algorithm: "RSAES_OAEP_SHA_1" },
  binary: { plaintextBase64: Buffer.from([0, 1, 2, 254, 255]).toString("base64"), keyId: "key-rsa3072" },
  rotating: { plaintext: "follows rotation", keyId: "key-rotating", algorithm: "RSAES_OAEP_SHA_256" },
};

function expectedPlaintext(inputs: Props): Buffer {
  return typeof inputs.plaintext === "string"
    ? Buffer.from(inputs.plaintext)
    : Buffer.from(String(inputs.plaintextBase64), "base64");
}

describe("EncryptedValue through the dynamic provider host", () => {
  let d: Deployment;
  let pinnedVersion: string;

  const decrypt = (outputs: Props) =>
    opensslDecrypt(privateKeyFile(d.keysDir, outputs), String(outputs.algorithm), String(outputs.ciphertextBlob));
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;

  before(async () => {
    d = await deploy();
    const described = await call(officialClient(d.emulator), "DescribeKey", { KeyId: "key-rotating" });
    pinnedVersion = String((described.KeyMetadata as Props).PrimaryKeyVersion);
    values.pinned = { plaintext: "pinned", keyId: "key-rotating", keyVersionId: pinnedVersion };
  });
  after(() => d.close());

  it("preview: every value validates with Describe* and DryRun only, and nothing is encrypted", async () => {
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) {
      assert.deepEqual(await d.stack.preview(name, inputs), { op: "create", failures: [] }, name);
    }
    const { calls, dryRunCalls } = d.emulator.stats();
    for (const [action, count] of Object.entries(calls)) {
      const dryRuns = dryRunCalls[action] ?? 0;
      assert.ok(READ_ONLY_ACTIONS.has(action) || dryRuns === count, `${action}: ${count} calls, ${dryRuns} of them DryRun`);
    }
    assert.equal(encryptCalls(d.emulator), 0);
    assert.ok((dryRunCalls.AsymmetricEncrypt ?? 0) > 0, "keys are validated through DryRun");
    assert.ok((calls.DescribeCertificate ?? 0) > 0, "certificates are validated through DescribeCertificate");
  });

  it("up: every ciphertext decrypts with OpenSSL (emulator --keys-dir) to its plaintext", async () => {
    await d.nextCommand();
    for (const [name, inputs] of Object.entries(values)) {
      const step = await d.stack.up(name, inputs);
      assert.equal(step.op, "create", name);
      assert.deepEqual(decrypt(outputs(name)), expectedPlaintext(inputs), name);
    }
    assert.equal(outputs("alias").keyId, "key-rsa2048", "the alias resolves to the key's own ID");
    assert.equal(outputs("arn").keyId, "key-rsa2048", "the ARN resolves to the key's own ID");
    assert.equal(outputs("sm2-default-algorithm").algorithm, "SM2PKE");
    assert.equal(outputs("binary").algorithm, "RSAES_OAEP_SHA_256");
    assert.equal(outputs("pinned").keyVersionId, pinnedVersion);
    assert.equal(outputs("cert-rsa").keySpec, "RSA_2048");
    assert.equal(outputs("sm2").keySpec, "EC_SM2");
    // The digest is a secret among the inputs, and not an output at all: the Node SDK prints outputs in clear.
    const digest = d.stack.state.get("sm2")!.inputs.plaintextDigest as Props;
    assert.equal(digest["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "the digest is a secret");
    assert.match(String(digest.value), /^scrypt\$12\$8\$1\$/);
    assert.equal("plaintextDigest" in outputs("sm2"), false);
    assert.equal(outputs("sm2").plaintextRevision, 1);
    for (const props of [outputs("sm2"), d.stack.state.get("sm2")!.inputs]) assert.equal("plaintext" in props, false);
  });

  it("a second identical pass changes nothing and makes no encryption call", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) {
      assert.equal((await d.stack.up(name, inputs)).op, "same", name);
    }
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("a changed plaintext updates in place: same ID, new ciphertext of the new plaintext", async () => {
    await d.nextCommand();
    const before = d.stack.state.get("rsa2048-sha256")!;
    const inputs = { ...values["rsa2048-sha256"], plaintext: "db-password-1-rotated" };
    d.emulator.resetStats();
    assert.equal((await d.stack.preview("rsa2048-sha256", inputs)).op, "update");
    assert.equal(encryptCalls(d.emulator), 0, "the preview of an update encrypts nothing");
    assert.equal((await d.stack.up("rsa2048-sha256", inputs)).op, "update");
    const after = d.stack.state.get("rsa2048-sha256")!;
    assert.equal(after.id, before.id);
    assert.notEqual(after.outputs.ciphertextBlob, before.outputs.ciphertextBlob);
    assert.deepEqual(decrypt(after.outputs), Buffer.from("db-password-1-rotated"));
    assert.equal(encryptCalls(d.emulator), 1);
    values["rsa2048-sha256"] = inputs;
  });

  it("a new primary key version (CreateKeyVersion) re-encrypts followers; a pinned version stays", async () => {
    await d.nextCommand();
    const { KeyVersion } = await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-rotating" });
    const newVersion = String((KeyVersion as Props).KeyVersionId);
    assert.equal((await d.stack.preview("rotating", values.rotating!)).op, "update");
    assert.equal((await d.stack.up("rotating", values.rotating!)).op, "update");
    assert.equal(outputs("rotating").keyVersionId, newVersion);
    assert.deepEqual(decrypt(outputs("rotating")), Buffer.from("follows rotation"));
    assert.equal((await d.stack.up("pinned", values.pinned!)).op, "same");
    assert.equal(outputs("pinned").keyVersionId, pinnedVersion);
  });

  it("changing key, algorithm, certificate or the alias's target re-encrypts", async () => {
    await d.nextCommand();
    const changes: [string, Props][] = [
      ["rsa3072-sha1", { ...values["rsa3072-sha1"], algorithm: "RSAES_OAEP_SHA_256" }],
      ["rsa2048-sha1", { ...values["rsa2048-sha1"], keyId: "key-other" }],
      ["cert-sm2", { ...values["cert-sm2"], certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_1" }],
    ];
    for (const [name, inputs] of changes) {
      assert.equal((await d.stack.up(name, inputs)).op, "update", name);
      assert.deepEqual(decrypt(outputs(name)), expectedPlaintext(inputs), name);
      values[name] = inputs;
    }
    await call(officialClient(d.emulator), "UpdateAlias", { AliasName: "alias/app", KeyId: "key-other" });
    await d.nextCommand();
    assert.equal((await d.stack.up("alias", values.alias!)).op, "update");
    assert.equal(outputs("alias").keyId, "key-other");
    assert.deepEqual(decrypt(outputs("alias")), Buffer.from("via alias"));
  });

  it("refresh reports a key that can no longer decrypt, and the next up re-encrypts once it can", async () => {
    await d.nextCommand();
    assert.equal((await d.stack.refresh("sm2")).staleReason, "", "a healthy value refreshes clean");
    const kms = officialClient(d.emulator);
    await call(kms, "DisableKey", { KeyId: "key-sm2" });
    const refreshed = await d.stack.refresh("sm2");
    assert.match(String(refreshed.staleReason), /key key-sm2 is Disabled/);
    await d.nextCommand();
    const blocked = await d.stack.up("sm2", values.sm2!);
    assert.equal(blocked.op, "failed");
    await call(kms, "EnableKey", { KeyId: "key-sm2" });
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.stack.up("sm2", values.sm2!)).op, "update", "a stale value re-encrypts");
    assert.equal(outputs("sm2").staleReason, "");
    assert.equal(encryptCalls(d.emulator), 1);
    assert.deepEqual(decrypt(outputs("sm2")), expectedPlaintext(values.sm2!));
  });

  it("refresh reports a deleted key version's key and a revoked certificate", async () => {
    await d.nextCommand();
    await call(officialClient(d.emulator), "ScheduleKeyDeletion", { KeyId: "key-rsa3072", PendingWindowInDays: "7" });
    assert.match(String((await d.stack.refresh("binary")).staleReason), /key key-rsa3072 is PendingDeletion/);
    d.emulator.store.certificate("cert-rsa").status = "REVOKED";
    assert.match(String((await d.stack.refresh("cert-rsa")).staleReason), /certificate cert-rsa is REVOKED/);
  });

  it("delete removes only state: no KMS call", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    await d.stack.destroy("pinned");
    assert.equal(d.stack.state.has("pinned"), false);
    assert.deepEqual(d.emulator.stats().calls, {});
  });
});

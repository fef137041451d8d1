import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { call, officialClient, rejection } from "../support/kms-client";
import { independentGcm, runGcm } from "../support/independent-crypto";
import { privateKeyFile } from "./store/keys-dir";
import { blobAad, canonicalContext, formatBlob, parseBlob } from "./keys/symmetric-blob";
import { type KmsEmulator, startKmsEmulator } from "./index";

// The emulator's Encrypt and Decrypt (symmetric keys) checked by an implementation that shares
// nothing with it: Go's crypto/cipher GCM over crypto/aes and over gmsm's SM4 opens what Encrypt
// answers (with the --keys-dir material), and Decrypt opens what Go seals. The encryption context
// is bound: Decrypt refuses any other, in any order the same.

const keys = [
  { keyId: "key-aes", keySpec: "Aliyun_AES_256", cipher: "AES_256_GCM" },
  { keyId: "key-sm4", keySpec: "Aliyun_SM4", cipher: "SM4_GCM" },
] as const;

describe("symmetric Encrypt and Decrypt against Go's GCM", () => {
  let emulator: KmsEmulator;
  let dir: string;
  let gcm: string;
  const kms = () => officialClient(emulator);
  const material = (keyId: string, keyVersionId: string) =>
    readFileSync(privateKeyFile(join(dir, "keys"), { keyId, keyVersionId }).replace(/\.pem$/, ".key"), "utf8");
  const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64");

  before(async () => {
    gcm = await independentGcm();
    dir = mkdtempSync(join(tmpdir(), "kms-symmetric-"));
    emulator = await startKmsEmulator({
      keysDir: join(dir, "keys"),
      seed: {
        accessKeys: [{ accessKeyId: "LTAIsym", accessKeySecret: "sym-secret" }],
        keys: keys.map(({ keyId, keySpec }) => ({ keyId, keySpec, keyUsage: "ENCRYPT/DECRYPT" })),
        certificates: [],
      },
    });
  });
  after(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const { keyId, cipher } of keys) {
    it(`${keyId}: Go opens what Encrypt made, and Decrypt opens what Go sealed, with the context bound`, async () => {
      const context = { app: "billing", stage: "prod" };
      const plaintext = Buffer.from(`symmetric ${keyId} ${"x".repeat(100)}`);
      const encryptionContext = JSON.stringify(context);
      const answer = await call(kms(), "Encrypt", { KeyId: keyId, Plaintext: plaintext.toString("utf8"), EncryptionContext: encryptionContext });
      const blob = parseBlob(Buffer.from(String(answer.CiphertextBlob), "base64"))!;
      assert.equal(blob.keyVersionId, answer.KeyVersionId);
      const key = material(keyId, blob.keyVersionId);
      const aad = b64(blobAad(keyId, blob.keyVersionId, canonicalContext(context)));
      const [opened, wrongContext] = await runGcm(gcm, [
        { op: "open", cipher, key, iv: b64(blob.iv), aad, ciphertext: b64(Buffer.concat([blob.ciphertext, blob.tag])) },
        { op: "open", cipher, key, iv: b64(blob.iv), aad: b64(blobAad(keyId, blob.keyVersionId, canonicalContext({ app: "billing" }))),
          ciphertext: b64(Buffer.concat([blob.ciphertext, blob.tag])) },
      ]);
      assert.equal(opened!.plaintext, b64(plaintext), "Go's GCM opens the emulator's ciphertext");
      assert.equal(wrongContext!.error, "authentication failed", "and only under the same context");

      // The other way: Go seals, Decrypt opens (the context's key order does not matter).
      const iv = Buffer.alloc(12, 7);
      const [sealed] = await runGcm(gcm, [{ op: "seal", cipher, key, iv: b64(iv), aad, plaintext: b64("sealed by Go") }]);
      const bytes = Buffer.from(sealed!.ciphertext!, "base64");
      const goBlob = formatBlob({
        keyId, keyVersionId: blob.keyVersionId, iv, ciphertext: bytes.subarray(0, -16), tag: bytes.subarray(-16),
      });
      const reordered = JSON.stringify({ stage: "prod", app: "billing" });
      const decrypted = await call(kms(), "Decrypt", { CiphertextBlob: goBlob, EncryptionContext: reordered });
      assert.equal(decrypted.Plaintext, "sealed by Go", "Decrypt returns the sealed bytes as text, not base64");
      assert.equal(decrypted.KeyId, keyId);

      for (const other of [{}, { app: "billing" }, { app: "billing", stage: "dev" }]) {
        const refused = await rejection(call(kms(), "Decrypt", {
          CiphertextBlob: answer.CiphertextBlob as string, EncryptionContext: JSON.stringify(other),
        }));
        assert.equal(refused.code, "InvalidCiphertextError", JSON.stringify(other));
      }
    });
  }

  it("Encrypt refuses asymmetric keys, plaintext over 6 KB and a context that is not a JSON object of strings", async () => {
    await call(kms(), "CreateKey", { KeySpec: "RSA_2048", KeyUsage: "ENCRYPT/DECRYPT" }).then(async (created) => {
      const rsa = String((created.KeyMetadata as Record<string, unknown>).KeyId);
      assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: rsa, Plaintext: "x" }))).code, "Rejected.UnsupportedOperationError");
    });
    assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: "é".repeat(3072) + "x" }))).code, "InvalidParameterError",
      "6,145 UTF-8 bytes (3,073 characters): the limit counts bytes");
    await call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: "é".repeat(3072) });
    for (const context of ["[1]", "{\"a\":1}", "not json"]) {
      assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: "x", EncryptionContext: context }))).code, "InvalidParameterError", context);
    }
  });

  it("Plaintext is an opaque string: Decrypt returns it verbatim, whatever it looks like", async () => {
    // Text that is also valid base64 ("YWJj" decodes to "abc") must come back as written, as must
    // non-ASCII text, a PEM with its newlines, and base64 with padding.
    for (const text of ["YWJj", "hunter2", "YourPassword1234!", "密码 ünïcödé 🔑", "-----BEGIN X-----\nAAAA\n-----END X-----\n", "AAAA=="]) {
      const sealed = await call(kms(), "Encrypt", { KeyId: "key-sm4", Plaintext: text });
      const opened = await call(kms(), "Decrypt", { CiphertextBlob: String(sealed.CiphertextBlob) });
      assert.equal(opened.Plaintext, text);
    }
    assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: "" }))).code, "MissingParameterError");
  });

  it("GenerateDataKey: Plaintext is base64 of a fresh key, and Decrypt of its CiphertextBlob returns that base64 text", async () => {
    const context = JSON.stringify({ purpose: "data-key" });
    for (const [params, bytes] of [[{}, 32], [{ KeySpec: "AES_256" }, 32], [{ KeySpec: "AES_128" }, 16], [{ NumberOfBytes: "24" }, 24]] as const) {
      const made = await call(kms(), "GenerateDataKey", { KeyId: "key-aes", EncryptionContext: context, ...params });
      const plaintext = String(made.Plaintext);
      assert.equal(Buffer.from(plaintext, "base64").length, bytes, JSON.stringify(params));
      assert.equal(made.KeyId, "key-aes");
      const opened = await call(kms(), "Decrypt", { CiphertextBlob: String(made.CiphertextBlob), EncryptionContext: context });
      assert.equal(opened.Plaintext, plaintext);
      assert.equal((await rejection(call(kms(), "Decrypt", { CiphertextBlob: String(made.CiphertextBlob) }))).code, "InvalidCiphertextError");
    }
    // Go's GCM, with the key material, finds the base64 text inside the blob.
    const made = await call(kms(), "GenerateDataKey", { KeyId: "key-aes" });
    const blob = parseBlob(Buffer.from(String(made.CiphertextBlob), "base64"))!;
    const [opened] = await runGcm(gcm, [{
      op: "open", cipher: "AES_256_GCM", key: material("key-aes", blob.keyVersionId), iv: b64(blob.iv),
      aad: b64(blobAad("key-aes", blob.keyVersionId, "{}")), ciphertext: b64(Buffer.concat([blob.ciphertext, blob.tag])),
    }]);
    assert.equal(Buffer.from(opened!.plaintext!, "base64").toString("utf8"), made.Plaintext);
    for (const bad of <Record<string, string>[]>[{ KeySpec: "AES_512" }, { NumberOfBytes: "0" }, { NumberOfBytes: "1025" }]) {
      assert.equal((await rejection(call(kms(), "GenerateDataKey", { KeyId: "key-aes", ...bad }))).code, "InvalidParameterError", JSON.stringify(bad));
    }
    assert.equal((await rejection(call(kms(), "GenerateDataKey", { KeyId: "key-aes", DryRun: "true" }))).code, "DryRunOperationErrorError");
  });

  it("ReEncrypt moves a ciphertext to another key and context without the plaintext leaving", async () => {
    const first = await call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: "moved text", EncryptionContext: "{\"a\":\"1\"}" });
    const moved = await call(kms(), "ReEncrypt", {
      CiphertextBlob: String(first.CiphertextBlob), SourceEncryptionContext: "{\"a\":\"1\"}",
      DestinationKeyId: "key-sm4", DestinationEncryptionContext: "{\"b\":\"2\"}",
    });
    assert.equal(moved.KeyId, "key-sm4");
    assert.equal(moved.SourceKeyId, "key-aes");
    const opened = await call(kms(), "Decrypt", { CiphertextBlob: String(moved.CiphertextBlob), EncryptionContext: "{\"b\":\"2\"}" });
    assert.equal(opened.Plaintext, "moved text");
    assert.equal(opened.KeyId, "key-sm4");
    const wrongSource = await rejection(call(kms(), "ReEncrypt", {
      CiphertextBlob: String(first.CiphertextBlob), SourceEncryptionContext: "{\"a\":\"2\"}", DestinationKeyId: "key-sm4",
    }));
    assert.equal(wrongSource.code, "InvalidCiphertextError");
  });

  it("encryptionContextMatch \"exact\": Decrypt takes only the same JSON text, where \"equivalent\" takes the keys in any order", async () => {
    const exact = await startKmsEmulator({
      seed: { accessKeys: [{ accessKeyId: "LTAIsym", accessKeySecret: "sym-secret" }], keys: [{ keyId: "key-aes", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [] },
      behaviour: { encryptionContextMatch: "exact" },
    });
    try {
      const kmsExact = officialClient(exact);
      const sealed = String((await call(kmsExact, "Encrypt", { KeyId: "key-aes", Plaintext: "x", EncryptionContext: "{\"b\":\"2\",\"a\":\"1\"}" })).CiphertextBlob);
      await call(kmsExact, "Decrypt", { CiphertextBlob: sealed, EncryptionContext: "{\"b\":\"2\",\"a\":\"1\"}" });
      const reordered = await rejection(call(kmsExact, "Decrypt", { CiphertextBlob: sealed, EncryptionContext: "{\"a\":\"1\",\"b\":\"2\"}" }));
      assert.equal(reordered.code, "InvalidCiphertextError");
    } finally {
      await exact.close();
    }
  });

  it("Encrypt uses the primary version, or the initial one where the emulator is told to (symmetricEncryptVersion)", async () => {
    const versionOf = async (e: KmsEmulator) =>
      String((await call(officialClient(e), "Encrypt", { KeyId: "key-sm4", Plaintext: "v" })).KeyVersionId);
    const rotate = async (e: KmsEmulator) =>
      String(((await call(officialClient(e), "CreateKeyVersion", { KeyId: "key-sm4" })).KeyVersion as Record<string, unknown>).KeyVersionId);
    const first = await versionOf(emulator);
    const second = await rotate(emulator);
    assert.notEqual(second, first);
    assert.equal(await versionOf(emulator), second, "the primary version, by default");

    const initial = await startKmsEmulator({
      seed: {
        accessKeys: [{ accessKeyId: "LTAIsym", accessKeySecret: "sym-secret" }],
        keys: [{ keyId: "key-sm4", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT" }],
        certificates: [],
      },
      behaviour: { symmetricEncryptVersion: "initial" },
    });
    try {
      const was = await versionOf(initial);
      await rotate(initial);
      const old = await call(officialClient(initial), "Encrypt", { KeyId: "key-sm4", Plaintext: "v" });
      assert.equal(old.KeyVersionId, was, "the first version, after a rotation too");
      const opened = await call(officialClient(initial), "Decrypt", { CiphertextBlob: String(old.CiphertextBlob) });
      assert.equal(opened.Plaintext, "v");
    } finally {
      await initial.close();
    }
  });
});

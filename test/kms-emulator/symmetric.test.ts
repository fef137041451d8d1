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
      const answer = await call(kms(), "Encrypt", { KeyId: keyId, Plaintext: b64(plaintext), EncryptionContext: encryptionContext });
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
      assert.equal(Buffer.from(String(decrypted.Plaintext), "base64").toString(), "sealed by Go");
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
      assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: rsa, Plaintext: b64("x") }))).code, "Rejected.UnsupportedOperationError");
    });
    assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: b64(Buffer.alloc(6145, 1)) }))).code, "InvalidParameterError");
    await call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: b64(Buffer.alloc(6144, 1)) });
    for (const context of ["[1]", "{\"a\":1}", "not json"]) {
      assert.equal((await rejection(call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: b64("x"), EncryptionContext: context }))).code, "InvalidParameterError", context);
    }
  });

  it("encryptionContextMatch \"exact\": Decrypt takes only the same JSON text, where \"equivalent\" takes the keys in any order", async () => {
    const exact = await startKmsEmulator({
      seed: { accessKeys: [{ accessKeyId: "LTAIsym", accessKeySecret: "sym-secret" }], keys: [{ keyId: "key-aes", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [] },
      behaviour: { encryptionContextMatch: "exact" },
    });
    try {
      const kmsExact = officialClient(exact);
      const sealed = String((await call(kmsExact, "Encrypt", { KeyId: "key-aes", Plaintext: b64("x"), EncryptionContext: "{\"b\":\"2\",\"a\":\"1\"}" })).CiphertextBlob);
      await call(kmsExact, "Decrypt", { CiphertextBlob: sealed, EncryptionContext: "{\"b\":\"2\",\"a\":\"1\"}" });
      const reordered = await rejection(call(kmsExact, "Decrypt", { CiphertextBlob: sealed, EncryptionContext: "{\"a\":\"1\",\"b\":\"2\"}" }));
      assert.equal(reordered.code, "InvalidCiphertextError");
    } finally {
      await exact.close();
    }
  });

  it("Encrypt uses the primary version, or the initial one where the emulator is told to (symmetricEncryptVersion)", async () => {
    const versionOf = async (e: KmsEmulator) =>
      String((await call(officialClient(e), "Encrypt", { KeyId: "key-sm4", Plaintext: b64("v") })).KeyVersionId);
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
      const old = await call(officialClient(initial), "Encrypt", { KeyId: "key-sm4", Plaintext: b64("v") });
      assert.equal(old.KeyVersionId, was, "the first version, after a rotation too");
      const opened = await call(officialClient(initial), "Decrypt", { CiphertextBlob: String(old.CiphertextBlob) });
      assert.equal(Buffer.from(String(opened.Plaintext), "base64").toString(), "v");
    } finally {
      await initial.close();
    }
  });
});

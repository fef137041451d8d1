import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatEnvelope, parseEnvelope, type TargetOutputs } from "../../provider/toolkit";
import { entryMaps } from "../../sdk/encrypted-values";

// EncryptedValues keeps one map in state and the program derives the other (sdk/encrypted-values.ts).
// The derived envelope must be exactly the one the provider would have written, and state read
// back is hostile: a tampered entry is refused in our words, naming the entry and never its value.

const key: TargetOutputs = { keyId: "key-1", keyVersionId: "v-1", certificateId: "", algorithm: "RSAES_OAEP_SHA_256", region: "cn-hangzhou" };
const certificate: TargetOutputs = { keyId: "", keyVersionId: "", certificateId: "cert-1", algorithm: "RSAES_OAEP_SHA_1", region: "cn-shanghai" };
const blob = Buffer.from("kms ciphertext").toString("base64");

describe("EncryptedValues' derived output map", () => {
  it("derives each envelope byte for byte as the provider formats it, for a key and a certificate", () => {
    const fromKey = entryMaps({ a: blob }, undefined, key);
    assert.equal(fromKey.envelopes.a, formatEnvelope({ keyId: "key-1", keyVersionId: "v-1", version: 2, algorithm: "RSAES_OAEP_SHA_256", region: "cn-hangzhou", ciphertextBlob: blob }));
    assert.deepEqual(fromKey.ciphertexts, { a: blob });
    const fromCertificate = parseEnvelope(entryMaps({ a: blob }, undefined, certificate).envelopes.a!);
    assert.equal(fromCertificate.certificateId, "cert-1");
    assert.equal(fromCertificate.keyId, undefined);
    assert.equal(fromCertificate.ciphertextBlob, blob);
  });

  it("with envelope encryption, derives each ciphertext as the envelope's encrypted data key", () => {
    const envelope = formatEnvelope({
      keyId: "key-1", keyVersionId: "v-1", version: 2, algorithm: "RSAES_OAEP_SHA_256", region: "cn-hangzhou",
      encryptedDataKey: blob, cipher: "AES_256_GCM", iv: Buffer.alloc(12, 1), tag: Buffer.alloc(16, 2), ciphertext: Buffer.from("sealed"),
    });
    const maps = entryMaps(undefined, { a: envelope }, key);
    assert.deepEqual(maps, { ciphertexts: { a: blob }, envelopes: { a: envelope } });
  });

  it("takes \"\" (state's marker for the map it does not keep) as no map: derives that one", () => {
    assert.deepEqual(entryMaps({ a: blob }, "", key), entryMaps({ a: blob }, undefined, key));
    const envelope = entryMaps({ a: blob }, undefined, key).envelopes.a!;
    assert.deepEqual(entryMaps("", { a: envelope }, key), { ciphertexts: { a: blob }, envelopes: { a: envelope } });
  });

  it("refuses tampered state in its own words, naming the entry and not its value", () => {
    const hostile = "not-an-envelope-SECRETISH";
    assert.throws(() => entryMaps(undefined, { tampered: hostile }, key), (e: Error) =>
      /^envelope: /.test(e.message) && !e.message.includes(hostile) && !e.message.includes("Unexpected token"));
    assert.throws(() => entryMaps({ odd: 42 as unknown as string }, undefined, key), (e: Error) =>
      /entry 'odd' is not a string; run pulumi up to re-encrypt it/.test(e.message));
    assert.throws(() => entryMaps({ a: blob }, undefined, { ...key, algorithm: "ROT13" }), /the algorithm 'ROT13' is not one KMS encrypts with/);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { call, officialClient } from "../support/kms-client";
import { opensslDecrypt } from "../support/openssl";
import { deploy, type Deployment, encryptCalls } from "./fixtures";

// encryptLocally: the provider encrypts with the public key it fetched once per key version, and
// the ciphertext opens like one KMS made: with the emulator's AsymmetricDecrypt /
// CertificatePrivateKeyDecrypt and with OpenSSL using the private key the emulator wrote out.

type Props = Record<string, unknown>;

const values: Record<string, Props> = {
  "rsa2048-sha256": { plaintext: "local 2048/256", keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_256" },
  "rsa2048-sha1": { plaintext: "local 2048/1", keyId: "alias/app", algorithm: "RSAES_OAEP_SHA_1" },
  "rsa3072-sha256": { plaintext: "local 3072/256", keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_256" },
  "rsa3072-sha1-max": { plaintext: "x".repeat(342), keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_1" },
  sm2: { plaintext: "本地 SM2 加密", keyId: "key-sm2" },
  "sm2-long": { plaintextBase64: Buffer.alloc(4000, 7).toString("base64"), keyId: "key-sm2" },
  "cert-rsa": { plaintext: "local cert", certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_1" },
  "cert-sm2": { plaintext: "local cert sm2", certificateId: "cert-sm2" },
  rotating: { plaintext: "local rotation", keyId: "key-rotating" },
};
const DISTINCT_KEY_VERSIONS = 4; // key-rsa2048 (also alias/app), key-rsa3072, key-sm2, key-rotating

function plaintextOf(inputs: Props): Buffer {
  return typeof inputs.plaintext === "string" ? Buffer.from(inputs.plaintext) : Buffer.from(String(inputs.plaintextBase64), "base64");
}

describe("encryptLocally: public-key encryption in the provider process", () => {
  let d: Deployment;
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;

  /** Decrypts through the emulator's own decrypt API. */
  async function kmsDecrypt(o: Props): Promise<Buffer> {
    const kms = officialClient(d.emulator);
    const answer = o.certificateId
      ? await call(kms, "CertificatePrivateKeyDecrypt", { CertificateId: String(o.certificateId), Algorithm: String(o.algorithm), CiphertextBlob: String(o.ciphertextBlob) })
      : await call(kms, "AsymmetricDecrypt", {
          KeyId: String(o.keyId),
          KeyVersionId: String(o.keyVersionId),
          Algorithm: String(o.algorithm),
          CiphertextBlob: String(o.ciphertextBlob),
        });
    return Buffer.from(String(answer.Plaintext), "base64");
  }

  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("preview validates through GetPublicKey's DryRun, not AsymmetricEncrypt's", async () => {
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) {
      assert.deepEqual(await d.stack.preview(name, { ...inputs, encryptLocally: true }), { op: "create", failures: [] }, name);
    }
    const { calls, dryRunCalls } = d.emulator.stats();
    assert.equal(dryRunCalls.GetPublicKey, DISTINCT_KEY_VERSIONS, "one DryRun per key version");
    assert.equal(calls.GetPublicKey, DISTINCT_KEY_VERSIONS, "and no real GetPublicKey");
    assert.equal(calls.AsymmetricEncrypt ?? 0, 0);
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("up makes no encrypt call and one GetPublicKey per key version; KMS and OpenSSL both decrypt", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) {
      assert.equal((await d.stack.up(name, { ...inputs, encryptLocally: true })).op, "create", name);
    }
    const { calls, dryRunCalls } = d.emulator.stats();
    assert.equal(encryptCalls(d.emulator), 0);
    assert.equal(calls.GetPublicKey! - dryRunCalls.GetPublicKey!, DISTINCT_KEY_VERSIONS);
    for (const [name, inputs] of Object.entries(values)) {
      const o = outputs(name);
      assert.deepEqual(await kmsDecrypt(o), plaintextOf(inputs), `${name} through KMS`);
      assert.deepEqual(opensslDecrypt(privateKeyFile(d.keysDir, o), String(o.algorithm), String(o.ciphertextBlob)), plaintextOf(inputs), `${name} through OpenSSL`);
    }
    const sm2 = Buffer.from(String(outputs("sm2").ciphertextBlob), "base64");
    assert.equal(sm2[0], 0x30, "SM2PKE ciphertext is the GM/T 0009 DER SEQUENCE");
  });

  it("switching encryptLocally alone changes nothing; a rotation re-encrypts locally under the new version", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) {
      assert.equal((await d.stack.up(name, { ...inputs, encryptLocally: false })).op, "same", name);
    }
    const { KeyVersion } = await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-rotating" });
    await d.nextCommand();
    assert.equal((await d.stack.up("rotating", { ...values.rotating, encryptLocally: true })).op, "update");
    assert.equal(outputs("rotating").keyVersionId, (KeyVersion as Props).KeyVersionId);
    assert.deepEqual(await kmsDecrypt(outputs("rotating")), plaintextOf(values.rotating!));
    assert.equal(encryptCalls(d.emulator), 0);
  });
});

describe("alicloud-kms:encryptLocally as the stack default", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy({ config: { "alicloud-kms:encryptLocally": "true" } });
  });
  after(() => d.close());

  it("applies to values that leave encryptLocally unset; a value's own false wins", async () => {
    d.emulator.resetStats();
    assert.equal((await d.stack.up("by-default", { plaintext: "default local", keyId: "key-rsa2048" })).op, "create");
    assert.equal(encryptCalls(d.emulator), 0);
    assert.equal((await d.stack.up("opted-out", { plaintext: "through KMS", keyId: "key-rsa2048", encryptLocally: false })).op, "create");
    assert.equal(encryptCalls(d.emulator), 1);
    assert.equal(d.stack.state.get("by-default")!.inputs.encryptLocally, true);
  });
});

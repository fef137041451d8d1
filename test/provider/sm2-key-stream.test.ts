import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { encryptWithPublicKey } from "../../provider/kms/public-key-encryption";
import { readSubjectPublicKey } from "../../provider/kms/subject-public-key";
import { generateSm2Key, sm2Encrypt, sm2PrivateKeyPem, sm2Spki } from "../kms-emulator/keys/sm2";
import { toPem } from "../kms-emulator/keys/pem";
import { opensslDecrypt } from "../support/openssl";

// SM2PKE must draw k again when the key stream t = KDF(x2‖y2) is all zeros (GM/T 0003.4, step A5):
// C2 would be the plaintext itself, and OpenSSL (as the standard says) refuses the ciphertext. The
// library both the provider (encryptLocally) and the emulator use does not: for a 1-byte plaintext
// one encryption in 256 could not be opened (the emulator's OpenSSL test failed so, at random).
// 3,000 encryptions of one byte each: without the re-draw, about 12 would carry C2 = plaintext
// (the chance of none is about 1 in 100,000).

const RUNS = 3_000;
const C2_LAST = (ciphertext: Buffer, length: number) => ciphertext.subarray(ciphertext.length - length);

describe("SM2PKE never uses a key stream of zeros", () => {
  const key = generateSm2Key();
  const dir = mkdtempSync(join(tmpdir(), "kms-sm2-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const privatePem = join(dir, "key.pem");
  writeFileSync(privatePem, sm2PrivateKeyPem(key));
  const plaintextOf = (i: number) => Buffer.from([i & 0xff]);
  const opens = (ciphertext: Buffer, plaintext: Buffer) =>
    assert.deepEqual(opensslDecrypt(privatePem, "SM2PKE", ciphertext.toString("base64")), plaintext);

  it("the premise: OpenSSL refuses a ciphertext whose key stream was zeros (drawn from the library until one comes)", () => {
    const plaintext = Buffer.from([0x5a]);
    let ciphertext: Buffer;
    do ciphertext = Buffer.from(sm2.doEncrypt(plaintext, key.publicPoint.toString("hex"), 1, { asn1: true }), "hex");
    while (!C2_LAST(ciphertext, 1).equals(plaintext));
    assert.throws(() => opens(ciphertext, plaintext), /SM2|error/);
  });

  it("the provider's local encryption: no C2 equal to its plaintext; OpenSSL opens them", () => {
    const publicKey = readSubjectPublicKey(toPem("PUBLIC KEY", sm2Spki(key)));
    for (let i = 0; i < RUNS; i++) {
      const plaintext = plaintextOf(i);
      const ciphertext = encryptWithPublicKey(publicKey, "SM2PKE", plaintext);
      assert.equal(C2_LAST(ciphertext, 1).equals(plaintext), false, `run ${i}: C2 is the plaintext (a key stream of zeros)`);
      if (i % 300 === 0) opens(ciphertext, plaintext);
    }
  });

  it("the emulator's AsymmetricEncrypt: the same", () => {
    for (let i = 0; i < RUNS; i++) {
      const plaintext = plaintextOf(i);
      const ciphertext = sm2Encrypt(key.publicPoint, plaintext);
      assert.equal(C2_LAST(ciphertext, 1).equals(plaintext), false, `run ${i}: C2 is the plaintext (a key stream of zeros)`);
      if (i % 300 === 0) opens(ciphertext, plaintext);
    }
  });
});

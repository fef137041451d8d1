import { constants, publicEncrypt } from "node:crypto";
import { sm2 } from "sm-crypto-v2";
import type { Algorithm } from "./key-spec-limits";
import { PublicKeyError, type SubjectPublicKey } from "./subject-public-key";

// Encryption with a KMS public key, in process, producing what AsymmetricEncrypt and
// CertificatePublicKeyEncrypt produce, so AsymmetricDecrypt / CertificatePrivateKeyDecrypt open it:
//   RSAES_OAEP_SHA_256 / _SHA_1: OAEP with that hash for both the digest and MGF1, empty label
//   SM2PKE: GM/T 0003.4 with SM3, in the GM/T 0009 DER form SEQUENCE { x, y, C3 hash, C2 ciphertext }

const OAEP_HASH: Partial<Record<Algorithm, string>> = { RSAES_OAEP_SHA_256: "sha256", RSAES_OAEP_SHA_1: "sha1" };
/** sm-crypto-v2's C1‖C3‖C2 ordering, which its ASN.1 output follows (x, y, C3, C2). */
const C1C3C2 = 1;

export function encryptWithPublicKey(key: SubjectPublicKey, algorithm: Algorithm, plaintext: Buffer): Buffer {
  if (key.kind === "sm2") {
    if (algorithm !== "SM2PKE") throw new PublicKeyError(`${algorithm} does not apply to an SM2 public key; use SM2PKE`);
    return inOurWords("SM2PKE", () => sm2Encrypt(key.point, plaintext));
  }
  const oaepHash = OAEP_HASH[algorithm];
  if (!oaepHash) throw new PublicKeyError(`${algorithm} does not apply to an RSA public key; use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1`);
  const options = { key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash };
  return inOurWords(algorithm, () => publicEncrypt(options, plaintext));
}

/**
 * SM2PKE, drawing k again whenever the key stream t = KDF(x2‖y2) is all zeros (GM/T 0003.4, step A5),
 * which the library does not do: C2 would then be the plaintext itself, and OpenSSL (as the standard
 * says) refuses such a ciphertext. For a 1-byte plaintext that is one encryption in 256. C2 is the
 * DER form's last element, so its bytes end the output.
 */
function sm2Encrypt(point: Buffer, plaintext: Buffer): Buffer {
  for (;;) {
    const ciphertext = Buffer.from(sm2.doEncrypt(plaintext, point.toString("hex"), C1C3C2, { asn1: true }), "hex");
    if (!ciphertext.subarray(ciphertext.length - plaintext.length).equals(plaintext)) return ciphertext;
  }
}

/** The library's failure said in our words (its own can describe the data). */
function inOurWords(algorithm: Algorithm, encrypt: () => Buffer): Buffer {
  try {
    return encrypt();
  } catch {
    throw new PublicKeyError(`${algorithm} encryption with the public key failed (the key or the plaintext's size does not fit)`);
  }
}

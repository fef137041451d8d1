import { constants, type KeyObject, privateDecrypt, publicEncrypt } from "node:crypto";

/** RSAES-OAEP with MGF1 on the same hash and an empty label, as KMS's two RSA algorithms define it. */
const oaepHash = { RSAES_OAEP_SHA_256: "sha256", RSAES_OAEP_SHA_1: "sha1" } as const;
export type RsaAlgorithm = keyof typeof oaepHash;

export function rsaEncrypt(publicKey: KeyObject, algorithm: RsaAlgorithm, plaintext: Buffer): Buffer {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash[algorithm] },
    plaintext,
  );
}

/** Throws on a ciphertext that does not decrypt under this key and algorithm. */
export function rsaDecrypt(privateKey: KeyObject, algorithm: RsaAlgorithm, ciphertext: Buffer): Buffer {
  return privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash[algorithm] },
    ciphertext,
  );
}

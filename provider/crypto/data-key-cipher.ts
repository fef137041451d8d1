import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// AES-256-GCM with a fresh random data key per value: 12-byte random IV (NIST SP 800-38D §8.2.2;
// one message per key, so IV reuse cannot happen), 16-byte tag, the envelope header as AAD.

export const DATA_KEY_BYTES = 32;

export interface DataCiphertext {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/**
 * What KMS encrypts for an envelope (format v2): this tag, then the data key. KMS decrypts anything
 * under a key for whoever may decrypt, so without a tag an envelope's encrypted data key, presented
 * as a direct value (a direct envelope, or a bare ciphertext to decrypt()), would open to the raw
 * data key of that envelope. With it, a plaintext that is exactly a tagged data key is refused
 * wherever a value is expected; no value of this exact shape arises by accident (a NUL, then
 * "PAKMSDK", then 32 bytes).
 */
const DATA_KEY_TAG = Buffer.from("\u0000PAKMSDK", "latin1");
export const WRAPPED_DATA_KEY_BYTES = DATA_KEY_TAG.length + DATA_KEY_BYTES;

/** A new data key. The caller zeroes it once it is encrypted under KMS and used. */
export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

/** The bytes KMS encrypts for a data key (format v2). The caller zeroes them after use. */
export function tagDataKey(dataKey: Buffer): Buffer {
  return Buffer.concat([DATA_KEY_TAG, dataKey]);
}

/** True when KMS's plaintext is a tagged data key (so it must not be handed out as a value). */
export function isTaggedDataKey(plaintext: Buffer): boolean {
  return plaintext.length === WRAPPED_DATA_KEY_BYTES && plaintext.subarray(0, DATA_KEY_TAG.length).equals(DATA_KEY_TAG);
}

/** The data key inside what KMS decrypted: tagged in v2, the bare 32 bytes in v1; undefined if neither. */
export function untagDataKey(plaintext: Buffer, version: 1 | 2): Buffer | undefined {
  if (version === 1) return plaintext.length === DATA_KEY_BYTES ? plaintext : undefined;
  return isTaggedDataKey(plaintext) ? plaintext.subarray(DATA_KEY_TAG.length) : undefined;
}

export function sealWithDataKey(dataKey: Buffer, plaintext: Buffer, aad: Buffer): DataCiphertext {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** The plaintext, or undefined when the tag does not verify (wrong key, altered data or header). */
export function openWithDataKey(dataKey: Buffer, sealed: DataCiphertext, aad: Buffer): Buffer | undefined {
  return dataKey.length === DATA_KEY_BYTES ? openGcm(dataKey, sealed, aad) : undefined;
}

/** AES-GCM (a 16- or 32-byte key, a 16-byte tag): the plaintext, or undefined when the tag does not verify. */
export function openGcm(key: Buffer, sealed: DataCiphertext, aad: Buffer): Buffer | undefined {
  const decipher = createDecipheriv(`aes-${key.length * 8}-gcm` as "aes-256-gcm", key, sealed.iv, { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  const plaintext = decipher.update(sealed.ciphertext);
  try {
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    plaintext.fill(0);
    return undefined;
  }
}

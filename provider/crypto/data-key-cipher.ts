import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// AES-256-GCM with a fresh random data key per value: 12-byte random IV (NIST SP 800-38D §8.2.2;
// one message per key, so IV reuse cannot happen), 16-byte tag, the envelope header as AAD.

export const DATA_KEY_BYTES = 32;

export interface DataCiphertext {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** A new data key. The caller zeroes it once it is encrypted under KMS and used. */
export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
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
  if (dataKey.length !== DATA_KEY_BYTES) return undefined;
  const decipher = createDecipheriv("aes-256-gcm", dataKey, sealed.iv, { authTagLength: 16 });
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

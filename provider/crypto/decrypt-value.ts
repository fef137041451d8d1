import { type Envelope, envelopeAad } from "./envelope-format";
import { isTaggedDataKey, openWithDataKey, untagDataKey } from "./data-key-cipher";
import type { KmsDecryptor } from "../kms/kms-service";
import { MessageOnlyError } from "../message-only-error";
import { isSymmetric } from "../kms/key-spec-limits";
import { parseKeyReference, printable } from "../kms/identifiers";

// The way back: KMS decrypts the value (direct) or the data key (envelope), which then opens the
// AES-256-GCM ciphertext. KMS failures propagate as KmsCallError for the caller to describe.

/** The envelope's data does not authenticate: altered, truncated, or sealed under another header. */
export class EnvelopeIntegrityError extends MessageOnlyError {}

/** A direct value that KMS opened to a tagged data key: never handed out as a value. */
export class DataKeyRefusedError extends MessageOnlyError {}

/** KMS opened a symmetric ciphertext under another key than the envelope names: its header was altered. */
export class KeyMismatchError extends MessageOnlyError {}

async function kmsDecrypt(kms: KmsDecryptor, e: Envelope, ciphertextBlob: string): Promise<Buffer> {
  if (e.certificateId !== undefined) return kms.certificatePrivateKeyDecrypt(e.certificateId, e.algorithm, ciphertextBlob);
  if (!isSymmetric(e.algorithm)) return kms.asymmetricDecrypt(e.keyId, e.keyVersionId, e.algorithm, ciphertextBlob);
  // Decrypt takes no key: the ciphertext names its own. Whoever wrote the envelope must not be able
  // to pass off another key's ciphertext as this one's (allowedKeys checked the named key).
  const { plaintext, keyId } = await kms.decrypt(ciphertextBlob, e.encryptionContext);
  const named = parseKeyReference(e.keyId);
  if (typeof named === "string" || !("keyId" in named) || keyId !== named.keyId) {
    plaintext.fill(0);
    throw new KeyMismatchError(`KMS opened the ciphertext with key ${printable(keyId)}, not the ${e.keyId} it names; ` +
      "the envelope or its keyId was altered, and nothing was returned");
  }
  return plaintext;
}

export async function decryptEnvelope(kms: KmsDecryptor, e: Envelope): Promise<Buffer> {
  if (e.encryptedDataKey === undefined) {
    const plaintext = await kmsDecrypt(kms, e, e.ciphertextBlob);
    if (isTaggedDataKey(plaintext)) {
      plaintext.fill(0);
      throw new DataKeyRefusedError(
        "the ciphertext opens to an envelope's data key, not to a value (it is an encryptedDataKey presented on its own); " +
        "nothing was returned: decrypt the whole envelope");
    }
    return plaintext;
  }
  const opened = await kmsDecrypt(kms, e, e.encryptedDataKey);
  try {
    const dataKey = untagDataKey(opened, e.version);
    const plaintext = dataKey && openWithDataKey(dataKey, e, envelopeAad(e));
    if (!plaintext) {
      throw new EnvelopeIntegrityError(
        "envelope: the AES-256-GCM tag does not verify: the ciphertext, IV, tag or header was altered or truncated " +
        "(or the data key belongs to another envelope); nothing was decrypted");
    }
    return plaintext;
  } finally {
    opened.fill(0);
  }
}

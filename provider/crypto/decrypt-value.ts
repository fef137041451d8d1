import { type Envelope, envelopeAad } from "./envelope-format";
import { isTaggedDataKey, openWithDataKey, untagDataKey } from "./data-key-cipher";
import type { KmsDecryptor } from "../kms/kms-service";
import { MessageOnlyError } from "../message-only-error";

// The way back: KMS decrypts the value (direct) or the data key (envelope), which then opens the
// AES-256-GCM ciphertext. KMS failures propagate as KmsCallError for the caller to describe.

/** The envelope's data does not authenticate: altered, truncated, or sealed under another header. */
export class EnvelopeIntegrityError extends MessageOnlyError {}

/** A direct value that KMS opened to a tagged data key: never handed out as a value. */
export class DataKeyRefusedError extends MessageOnlyError {}

function kmsDecrypt(kms: KmsDecryptor, e: Envelope, ciphertextBlob: string): Promise<Buffer> {
  return e.certificateId !== undefined
    ? kms.certificatePrivateKeyDecrypt(e.certificateId, e.algorithm, ciphertextBlob)
    : kms.asymmetricDecrypt(e.keyId, e.keyVersionId, e.algorithm, ciphertextBlob);
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

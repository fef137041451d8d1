import { type Envelope, envelopeAad, type EnvelopeHeader, EnvelopeIntegrityError, type PlaintextEncoding } from "./envelope-format";
import { strictBase64Bytes } from "../kms/symmetric-plaintext";
import { isSdkMessage, openSdkMessage, type SdkMessage } from "./encryption-sdk-message";
import { commitsTo, describeRecipient, encryptionKeyOf, type Recipient, type RecipientsEnvelope, recipientsAad } from "./recipients-envelope";
import { isTaggedDataKey, openWithDataKey, untagDataKey } from "./data-key-cipher";
import type { KmsDecryptor } from "../kms/kms-service";
import { MessageOnlyError } from "../message-only-error";
import { isSymmetric } from "../kms/key-spec-limits";
import { parseKeyReference, printable } from "../kms/identifiers";

// The way back: KMS decrypts the value (direct) or the data key (envelope), which then opens the
// AES-256-GCM ciphertext. KMS failures propagate as KmsCallError for the caller to describe.

export { EnvelopeIntegrityError };

/** KMS's plaintext is not in the encoding the envelope or the caller says. */
export class PlaintextEncodingError extends MessageOnlyError {}

/** A direct value that KMS opened to a tagged data key: never handed out as a value. */
export class DataKeyRefusedError extends MessageOnlyError {}

/** KMS opened a symmetric ciphertext under another key than the envelope names: its header was altered. */
export class KeyMismatchError extends MessageOnlyError {}

async function kmsDecrypt(kms: KmsDecryptor, e: EnvelopeHeader, ciphertextBlob: string): Promise<Buffer> {
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

/**
 * The data key an envelope's encryptedDataKey opens to: a symmetric key's Decrypt returns the
 * base64 text it was given (encrypt-value.ts dataKeyForKms), the asymmetric ones the bytes.
 * Undefined when a symmetric answer is not base64 (not one of our data keys).
 */
async function openDataKey(kms: KmsDecryptor, e: EnvelopeHeader, encryptedDataKey: string): Promise<Buffer | undefined> {
  const opened = await kmsDecrypt(kms, e, encryptedDataKey);
  if (!isSymmetric(e.algorithm)) return opened;
  const dataKey = strictBase64Bytes(opened);
  opened.fill(0);
  return dataKey;
}

/**
 * A direct value from what KMS returned: a symmetric key's Decrypt returns the string Encrypt got,
 * the value's own text, or in envelopes written before 0.2 base64 of it, decoded strictly: never
 * bytes that merely look like a value.
 */
export function directValue(opened: Buffer, encoding: PlaintextEncoding | undefined): Buffer {
  if (encoding !== "base64") return opened;
  const decoded = strictBase64Bytes(opened);
  opened.fill(0);
  if (!decoded) {
    throw new PlaintextEncodingError("KMS's plaintext is not base64, though base64 was asked for (plaintextEncoding); " +
      "nothing was returned: ciphertexts made by other KMS clients and by this package from 0.2 on hold the text itself, so decrypt without it");
  }
  return decoded;
}

export async function decryptEnvelope(kms: KmsDecryptor, e: Envelope): Promise<Buffer> {
  if (e.encryptedDataKey === undefined) {
    const opened = await kmsDecrypt(kms, e, e.ciphertextBlob);
    const plaintext = isSymmetric(e.algorithm) ? directValue(opened, e.plaintextEncoding) : opened;
    if (isTaggedDataKey(plaintext)) {
      plaintext.fill(0);
      throw new DataKeyRefusedError(
        "the ciphertext opens to an envelope's data key, not to a value (it is an encryptedDataKey presented on its own); " +
        "nothing was returned: decrypt the whole envelope");
    }
    return plaintext;
  }
  const opened = await openDataKey(kms, e, e.encryptedDataKey) ?? Buffer.alloc(0);
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

/** One recipient that could not open the envelope, and why (a KmsCallError, or ours). */
export interface RecipientFailure {
  recipient: Recipient;
  error: unknown;
}

/** Every recipient tried failed; `failures` holds each one's reason, in the order tried. */
export class NoRecipientOpenedError extends MessageOnlyError {
  constructor(readonly failures: RecipientFailure[], describe: (f: RecipientFailure) => string) {
    super(`no recipient could open the envelope: ${failures.map((f) => `${describeRecipient(f.recipient)}: ${describe(f)}`).join("; ")}`);
  }
}

/**
 * A version 3 envelope's value from what one recipient's KMS opened: the data key must be the one
 * the envelope commits to, else the envelope is refused outright (it was made to open differently
 * under different recipients). Undefined when it is not a data key at all (try the next).
 */
function openV3(e: RecipientsEnvelope, recipient: Recipient, opened: Buffer): Buffer | undefined {
  const dataKey = untagDataKey(opened, 2);
  if (!dataKey) return undefined;
  if (!commitsTo(e, dataKey)) {
    throw new EnvelopeIntegrityError(`envelope: ${describeRecipient(recipient)} opens to another data key than the envelope ` +
      "commits to: it was made to open differently for different recipients, or altered; nothing was decrypted");
  }
  const key = encryptionKeyOf(dataKey);
  const plaintext = openWithDataKey(key, e, recipientsAad(e));
  key.fill(0);
  if (!plaintext) {
    throw new EnvelopeIntegrityError("envelope: the AES-256-GCM tag does not verify: the ciphertext, IV, tag or a recipient " +
      "was altered, added, removed or reordered; nothing was decrypted");
  }
  return plaintext;
}

/** An Encryption SDK message's value: its header and body authenticate under the data key, or it is refused. */
function openSdk(e: SdkMessage, opened: Buffer): Buffer {
  const plaintext = openSdkMessage(opened, e);
  if (!plaintext) {
    throw new EnvelopeIntegrityError("Encryption SDK message: the data key does not authenticate its header or body: " +
      "the message was altered or truncated; nothing was decrypted");
  }
  return plaintext;
}

/**
 * A version 3 envelope or an Encryption SDK message: each recipient of `order` in turn until one's
 * KMS opens the data key. A recipient that fails (disabled key, unreachable region, refused
 * permission) does not stop the others; a data key that opens but does not authenticate the
 * envelope stops everything.
 */
export async function decryptRecipients(
  decryptorFor: (region: string) => KmsDecryptor,
  e: RecipientsEnvelope | SdkMessage,
  order: readonly Recipient[],
  describe: (f: RecipientFailure) => string,
): Promise<{ plaintext: Buffer; openedBy: Recipient; failures: RecipientFailure[] }> {
  const failures: RecipientFailure[] = [];
  for (const recipient of order) {
    let opened: Buffer;
    try {
      opened = await openDataKey(decryptorFor(recipient.region), recipient, recipient.encryptedDataKey) ?? Buffer.alloc(0);
    } catch (error) {
      failures.push({ recipient, error });
      continue;
    }
    try {
      const plaintext = isSdkMessage(e) ? openSdk(e, opened) : openV3(e, recipient, opened);
      if (!plaintext) {
        failures.push({ recipient, error: new EnvelopeIntegrityError("its encryptedDataKey does not open to a data key") });
        continue;
      }
      return { plaintext, openedBy: recipient, failures };
    } finally {
      opened.fill(0);
    }
  }
  throw new NoRecipientOpenedError(failures, describe);
}

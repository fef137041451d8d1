import { DATA_CIPHER, type Envelope, ENVELOPE_VERSION, type EnvelopeTarget, envelopeAad } from "./envelope-format";
import { newDataKey, sealWithDataKey, tagDataKey } from "./data-key-cipher";
import {
  commitmentOf, encryptionKeyOf, type Recipient, RECIPIENTS_VERSION, type RecipientsEnvelope, recipientsAad,
} from "./recipients-envelope";
import { type Algorithm, isSymmetric } from "../kms/key-spec-limits";
import type { KmsService } from "../kms/kms-service";
import { MessageOnlyError } from "../message-only-error";
import { dataKeyAsText } from "../kms/symmetric-plaintext";
import type { EncryptionContext } from "../kms/encryption-context";
import { sealSdkMessage, type SdkMessage, type SdkRecipient } from "./encryption-sdk-message";
import type { ValueScope } from "./value-scope";

// One value encrypted under a key version or a certificate: directly (KMS, or the public key in
// process, encrypts the value) or as an envelope (a fresh data key encrypts the value with
// AES-256-GCM and only the data key goes through KMS). Shared by the provider and the CLI.

export interface EncryptionTarget {
  /** With keyVersionId: a key's own ID. Without: a certificate ID. */
  target: EnvelopeTarget;
  algorithm: Algorithm;
  region: string;
}

export interface EncryptedOutput {
  /** KMS's ciphertext, base64: of the value, or of the data key for an envelope. */
  ciphertextBlob: string;
  /** The whole self-describing envelope (see envelope-format.ts). */
  envelope: Envelope;
}

/** One recipient's wrapping failed: `index` says which (from 0), `cause` why. */
export class RecipientEncryptionError extends Error {
  constructor(readonly index: number, override readonly cause: unknown) {
    super(`recipients[${index}] could not wrap the data key`);
  }
}

/** KMS answered with another version than the one asked for (the caller's state is stale). */
export class VersionMismatchError extends MessageOnlyError {
  constructor(readonly asked: string, readonly used: string) {
    super(`KMS encrypted under key version ${used}, not the ${asked} asked for; run \`pulumi up\` again`);
  }
}

async function kmsEncrypt(kms: KmsService, t: EncryptionTarget, plaintext: Buffer): Promise<string> {
  if (t.target.certificateId !== undefined) {
    const c = await kms.encryptWithCertificate(t.target.certificateId, t.algorithm, plaintext);
    return c.ciphertextBlob;
  }
  const c = await kms.encrypt(t.target.keyId, t.target.keyVersionId, t.algorithm, plaintext, t.target.encryptionContext);
  // Encrypt takes no version: the references disagree on which one it uses (the primary, or the
  // key's first), so a symmetric value is tracked by the primary version it was encrypted at.
  if (!isSymmetric(t.algorithm) && c.keyVersionId && c.keyVersionId !== t.target.keyVersionId) {
    throw new VersionMismatchError(t.target.keyVersionId, c.keyVersionId);
  }
  return c.ciphertextBlob;
}

/**
 * A data key as the recipient's KMS call takes it: Encrypt gets its base64 text (the way Alibaba's
 * Encryption SDK sends GenerateDataKey's Plaintext), the asymmetric operations its bytes.
 */
export function dataKeyForKms(algorithm: Algorithm, dataKey: Buffer): Buffer {
  return isSymmetric(algorithm) ? dataKeyAsText(dataKey) : dataKey;
}

/** A direct value's outputs: KMS's ciphertext of the value under `t`, and the envelope that names it. */
export function directOutput(t: EncryptionTarget, ciphertextBlob: string): EncryptedOutput {
  const header = { ...t.target, version: ENVELOPE_VERSION, algorithm: t.algorithm, region: t.region };
  const encoding = isSymmetric(t.algorithm) ? { plaintextEncoding: "text" as const } : {};
  return { ciphertextBlob, envelope: { ...header, ciphertextBlob, ...encoding } };
}

export async function encryptValue(
  kms: KmsService,
  t: EncryptionTarget,
  plaintext: Buffer,
  envelope: boolean,
  scope?: ValueScope,
): Promise<EncryptedOutput> {
  const header = { ...t.target, version: ENVELOPE_VERSION, algorithm: t.algorithm, region: t.region };
  if (!envelope) {
    // A symmetric key's Encrypt gets the value's own text, so every KMS client's Decrypt returns it.
    return directOutput(t, await kmsEncrypt(kms, t, plaintext));
  }
  const dataKey = newDataKey();
  const tagged = tagDataKey(dataKey);
  const wrapped = dataKeyForKms(t.algorithm, tagged);
  try {
    const encryptedDataKey = await kmsEncrypt(kms, t, wrapped);
    // The AAD covers the header only, so it can be computed before the data fields exist.
    const empty = Buffer.alloc(0);
    const headerOnly = {
      ...header, encryptedDataKey, cipher: DATA_CIPHER, iv: empty, tag: empty, ciphertext: empty, ...(scope ? { scope } : {}),
    } as const;
    const sealed = sealWithDataKey(dataKey, plaintext, envelopeAad(headerOnly));
    return { ciphertextBlob: encryptedDataKey, envelope: { ...headerOnly, ...sealed } };
  } finally {
    dataKey.fill(0);
    tagged.fill(0);
    wrapped.fill(0);
  }
}

/**
 * One value for several recipients (envelope format v3): one fresh data key, wrapped by each
 * recipient's KMS (or public key) at once, committed to in the header; the value sealed with a key
 * derived from it. `kmsFor` gives each recipient's region its service; `scope` joins the AAD.
 */
export async function encryptForRecipients(
  kmsFor: (t: EncryptionTarget) => KmsService,
  targets: readonly EncryptionTarget[],
  plaintext: Buffer,
  scope?: ValueScope,
): Promise<RecipientsEnvelope> {
  const dataKey = newDataKey();
  const tagged = tagDataKey(dataKey);
  const key = encryptionKeyOf(dataKey);
  try {
    const recipients: Recipient[] = await Promise.all(targets.map(async (t, index) => {
      try {
        const wrapped = dataKeyForKms(t.algorithm, tagged);
        try {
          const encryptedDataKey = await kmsEncrypt(kmsFor(t), t, wrapped);
          return { ...t.target, algorithm: t.algorithm, region: t.region, encryptedDataKey };
        } finally {
          wrapped.fill(0);
        }
      } catch (cause) {
        throw new RecipientEncryptionError(index, cause);
      }
    }));
    const header = { recipients, cipher: DATA_CIPHER, commitment: commitmentOf(dataKey), ...(scope ? { scope } : {}) } as const;
    return { version: RECIPIENTS_VERSION, ...header, ...sealWithDataKey(key, plaintext, recipientsAad(header)) };
  } finally {
    dataKey.fill(0);
    tagged.fill(0);
    key.fill(0);
  }
}

/**
 * One value as Alibaba's Encryption SDK message (encryption-sdk-message.ts): one fresh data key,
 * its base64 text encrypted by each symmetric CMK's Encrypt under the one context, named by ARN.
 * `arnOf` gives each target's key ARN (DescribeKey's Arn).
 */
export async function encryptForSdkMessage(
  kmsFor: (t: EncryptionTarget) => KmsService,
  arnOf: (t: EncryptionTarget) => Promise<string>,
  targets: readonly EncryptionTarget[],
  encryptionContext: EncryptionContext | undefined,
  plaintext: Buffer,
): Promise<SdkMessage> {
  const dataKey = newDataKey();
  const text = dataKeyAsText(dataKey);
  try {
    const recipients: SdkRecipient[] = await Promise.all(targets.map(async (t, index) => {
      try {
        if (!isSymmetric(t.algorithm) || t.target.keyId === undefined) throw new MessageOnlyError("Alibaba's Encryption SDK carries symmetric keys only");
        const [encryptedDataKey, arn] = await Promise.all([kmsEncrypt(kmsFor(t), t, text), arnOf(t)]);
        return { ...t.target, algorithm: t.algorithm, region: t.region, encryptedDataKey, arn };
      } catch (cause) {
        throw new RecipientEncryptionError(index, cause);
      }
    }));
    return sealSdkMessage(dataKey, recipients, encryptionContext ?? {}, plaintext);
  } finally {
    dataKey.fill(0);
    text.fill(0);
  }
}

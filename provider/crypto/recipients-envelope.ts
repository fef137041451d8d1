import { hkdfSync, timingSafeEqual } from "node:crypto";
import { canonicalContext } from "../kms/encryption-context";
import { printable } from "../kms/identifiers";
import { bytes, DATA_CIPHER, EnvelopeFormatError, type EnvelopeHeader, parseHeader } from "./envelope-format";
import { DATA_KEY_BYTES } from "./data-key-cipher";
import { parseScope } from "./envelope-format";
import { scopeAadLine, scopeJson, type ValueScope } from "./value-scope";

// Envelope format version 3: one data key wrapped for several recipients (keys in any region,
// certificates), any of which opens the value. Base64 (RFC 4648, padded) of UTF-8 JSON:
//
//   { "v": 3,
//     "recipients": [ { "keyId", "keyVersionId", "encryptionContext"? | "certificateId",
//                       "algorithm", "region", "encryptedDataKey" }, … ],   — 1 to 8, in order
//     "cipher": "AES_256_GCM",
//     "commitment": base64 (32 bytes),
//     "iv": base64 (12), "tag": base64 (16), "ciphertext": base64,
//     "scope": { "value", "entry"? }      — from 0.2: the value (and entry) it was written for }
//
// Each encryptedDataKey is the recipient's KMS ciphertext of the tagged data key K (as in v2).
// Key commitment: the value is sealed with HKDF-SHA256(K, info "…/v3/encryption"), and the
// envelope carries HKDF-SHA256(K, info "…/v3/commitment"). A reader checks the commitment of the
// K its recipient unwrapped before using it, so an envelope cannot open to one plaintext under one
// recipient and to another under the next (AES-GCM alone is not key-committing). The AAD is
//   "pulumi-alicloud-kms-encrypted/envelope/v3\n" + JSON of the recipients, each as
//   [keyId, keyVersionId, certificateId, algorithm, region, context (keys sorted) or "", encryptedDataKey]
//   + "\n" + cipher + "\n" + commitment (base64), then, when there is a scope, "\nscope=" + JSON [value, entry or null]
// so no recipient can be altered, added, removed or reordered without failing the tag.

export const RECIPIENTS_VERSION = 3;
export const MAX_RECIPIENTS = 8;
const COMMITMENT_BYTES = 32;

export type Recipient = EnvelopeHeader & {
  /** The recipient's KMS ciphertext of the tagged data key, base64. */
  encryptedDataKey: string;
};

export interface RecipientsEnvelope {
  version: typeof RECIPIENTS_VERSION;
  recipients: Recipient[];
  cipher: typeof DATA_CIPHER;
  commitment: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  /** The value (and entry) it was written for, bound in the AAD; absent in envelopes before 0.2. */
  scope?: ValueScope;
}

function derive(dataKey: Buffer, purpose: "encryption" | "commitment"): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), `pulumi-alicloud-kms-encrypted/envelope/v3/${purpose}`, 32));
}

/** The key the value is sealed with, derived from the data key. The caller zeroes it. */
export function encryptionKeyOf(dataKey: Buffer): Buffer {
  return derive(dataKey, "encryption");
}

export function commitmentOf(dataKey: Buffer): Buffer {
  return derive(dataKey, "commitment");
}

/** Whether an unwrapped data key is the one the envelope commits to (constant time). */
export function commitsTo(e: Pick<RecipientsEnvelope, "commitment">, dataKey: Buffer): boolean {
  return dataKey.length === DATA_KEY_BYTES && timingSafeEqual(commitmentOf(dataKey), e.commitment);
}

export function recipientsAad(e: Pick<RecipientsEnvelope, "recipients" | "cipher" | "commitment" | "scope">): Buffer {
  const listed = e.recipients.map((r) => [r.keyId ?? "", r.keyVersionId ?? "", r.certificateId ?? "", r.algorithm, r.region,
    r.encryptionContext ? canonicalContext(r.encryptionContext) : "", r.encryptedDataKey]);
  return Buffer.from(`pulumi-alicloud-kms-encrypted/envelope/v${RECIPIENTS_VERSION}\n${JSON.stringify(listed)}\n${e.cipher}\n` +
    e.commitment.toString("base64") + (e.scope ? `\n${scopeAadLine(e.scope)}` : ""), "utf8");
}

export function formatRecipientsEnvelope(e: RecipientsEnvelope): string {
  const json = {
    v: RECIPIENTS_VERSION,
    recipients: e.recipients.map((r) => ({
      ...(r.certificateId !== undefined ? { certificateId: r.certificateId } : { keyId: r.keyId, keyVersionId: r.keyVersionId }),
      ...(r.encryptionContext ? { encryptionContext: r.encryptionContext } : {}),
      algorithm: r.algorithm,
      region: r.region,
      encryptedDataKey: r.encryptedDataKey,
    })),
    cipher: e.cipher,
    commitment: e.commitment.toString("base64"),
    iv: e.iv.toString("base64"),
    tag: e.tag.toString("base64"),
    ciphertext: e.ciphertext.toString("base64"),
    ...(e.scope ? { scope: scopeJson(e.scope) } : {}),
  };
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64");
}

function parseRecipient(raw: unknown, index: number): Recipient {
  const where = `recipients[${index}]: `;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new EnvelopeFormatError(`${where}is not an object`);
  const o = raw as Record<string, unknown>;
  const header = parseHeader(o, where);
  bytes(o, "encryptedDataKey", undefined, where);
  return { ...header, encryptedDataKey: o.encryptedDataKey as string };
}

/** A version 3 envelope from its JSON object (envelope-format.ts reads the base64 and the version). */
export function parseRecipientsJson(json: Record<string, unknown>): RecipientsEnvelope {
  const list = json.recipients;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_RECIPIENTS) {
    throw new EnvelopeFormatError(`recipients must be a list of 1 to ${MAX_RECIPIENTS}; the envelope was altered or is not one`);
  }
  const recipients = list.map(parseRecipient);
  if (json.cipher !== DATA_CIPHER) throw new EnvelopeFormatError(`cipher ${printable(json.cipher)} is not ${DATA_CIPHER}`);
  return {
    version: RECIPIENTS_VERSION,
    recipients,
    cipher: DATA_CIPHER,
    commitment: bytes(json, "commitment", COMMITMENT_BYTES),
    iv: bytes(json, "iv", 12),
    tag: bytes(json, "tag", 16),
    ciphertext: json.ciphertext === "" ? Buffer.alloc(0) : bytes(json, "ciphertext"),
    ...parseScope(json),
  };
}

/** Who a recipient is, in words for messages (identifiers were checked when parsed). */
export function describeRecipient(r: { keyId?: string; certificateId?: string; region: string }): string {
  return r.certificateId !== undefined ? `certificate ${r.certificateId} in ${r.region}` : `key ${r.keyId} in ${r.region}`;
}

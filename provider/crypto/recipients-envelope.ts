import { hkdfSync, timingSafeEqual } from "node:crypto";
import { STRICT_BASE64 } from "../engine/inputs";
import { canonicalContext, type EncryptionContext, encryptionContextProblem } from "../kms/encryption-context";
import { isRegionId, isResourceId, printable } from "../kms/identifiers";
import { ALGORITHMS, type Algorithm, isAlgorithm, isSymmetric } from "../kms/key-spec-limits";
import { DATA_CIPHER, EnvelopeFormatError, type EnvelopeTarget } from "./envelope-format";
import { DATA_KEY_BYTES } from "./data-key-cipher";

// Envelope format version 3: one data key wrapped for several recipients (keys in any region,
// certificates), any of which opens the value. Base64 (RFC 4648, padded) of UTF-8 JSON:
//
//   { "v": 3,
//     "recipients": [ { "keyId", "keyVersionId", "encryptionContext"? | "certificateId",
//                       "algorithm", "region", "encryptedDataKey" }, … ],   — 1 to 8, in order
//     "cipher": "AES_256_GCM",
//     "commitment": base64 (32 bytes),
//     "iv": base64 (12), "tag": base64 (16), "ciphertext": base64 }
//
// Each encryptedDataKey is the recipient's KMS ciphertext of the tagged data key K (as in v2).
// Key commitment: the value is sealed with HKDF-SHA256(K, info "…/v3/encryption"), and the
// envelope carries HKDF-SHA256(K, info "…/v3/commitment"). A reader checks the commitment of the
// K its recipient unwrapped before using it, so an envelope cannot open to one plaintext under one
// recipient and to another under the next (AES-GCM alone is not key-committing). The AAD is
//   "pulumi-alicloud-kms-encrypted/envelope/v3\n" + JSON of the recipients, each as
//   [keyId, keyVersionId, certificateId, algorithm, region, context (keys sorted) or "", encryptedDataKey]
//   + "\n" + cipher + "\n" + commitment (base64)
// so no recipient can be altered, added, removed or reordered without failing the tag.

export const RECIPIENTS_VERSION = 3;
export const MAX_RECIPIENTS = 8;
const COMMITMENT_BYTES = 32;

export type Recipient = EnvelopeTarget & {
  algorithm: Algorithm;
  region: string;
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

export function recipientsAad(e: Pick<RecipientsEnvelope, "recipients" | "cipher" | "commitment">): Buffer {
  const listed = e.recipients.map((r) => [r.keyId ?? "", r.keyVersionId ?? "", r.certificateId ?? "", r.algorithm, r.region,
    r.encryptionContext ? canonicalContext(r.encryptionContext) : "", r.encryptedDataKey]);
  return Buffer.from(`pulumi-alicloud-kms-encrypted/envelope/v${RECIPIENTS_VERSION}\n${JSON.stringify(listed)}\n${e.cipher}\n` +
    e.commitment.toString("base64"), "utf8");
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
  };
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64");
}

function base64Field(o: Record<string, unknown>, name: string, where: string, length?: number): Buffer {
  const v = o[name];
  if (typeof v !== "string" || !STRICT_BASE64.test(v) || (v === "" && name !== "ciphertext")) {
    throw new EnvelopeFormatError(`${where}${name} is missing or not base64`);
  }
  const b = Buffer.from(v, "base64");
  if (length !== undefined && b.length !== length) throw new EnvelopeFormatError(`${where}${name} is ${b.length} bytes, not ${length}; the envelope was truncated or altered`);
  return b;
}

function shaped(
  o: Record<string, unknown>, name: string, valid: (v: unknown) => boolean, what: string, where: string,
): string | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (!valid(v)) throw new EnvelopeFormatError(`${where}${name} ${printable(v)} is not ${what}; the envelope was altered or is not one`);
  return v as string;
}

function parseRecipient(raw: unknown, index: number): Recipient {
  const where = `recipient ${index + 1}: `;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new EnvelopeFormatError(`${where}is not an object`);
  const o = raw as Record<string, unknown>;
  const id = (v: unknown) => typeof v === "string" && isResourceId(v);
  const keyId = shaped(o, "keyId", id, "a key ID", where);
  const keyVersionId = shaped(o, "keyVersionId", id, "a key version ID", where);
  const certificateId = shaped(o, "certificateId", id, "a certificate ID", where);
  const region = shaped(o, "region", (v) => typeof v === "string" && isRegionId(v), "a region ID (like cn-hangzhou)", where);
  if (region === undefined) throw new EnvelopeFormatError(`${where}region is missing`);
  if (!isAlgorithm(o.algorithm)) throw new EnvelopeFormatError(`${where}algorithm must be one of ${ALGORITHMS.join(", ")}`);
  const algorithm = o.algorithm;
  const encryptedDataKey = o.encryptedDataKey;
  base64Field(o, "encryptedDataKey", where);
  let target: EnvelopeTarget;
  if (certificateId !== undefined && keyId === undefined && keyVersionId === undefined) target = { certificateId };
  else if (certificateId === undefined && keyId !== undefined && keyVersionId !== undefined) target = { keyId, keyVersionId };
  else throw new EnvelopeFormatError(`${where}needs keyId with keyVersionId, or certificateId alone`);
  if (o.encryptionContext !== undefined) {
    const problem = encryptionContextProblem(o.encryptionContext);
    if (problem) throw new EnvelopeFormatError(`${where}encryptionContext ${problem}; the envelope was altered or is not one`);
    if (!isSymmetric(algorithm) || target.certificateId !== undefined) {
      throw new EnvelopeFormatError(`${where}has an encryptionContext, which only a symmetric key (SYMMETRIC_DEFAULT) takes`);
    }
    target = { ...target, encryptionContext: o.encryptionContext as EncryptionContext };
  }
  return { ...target, algorithm, region, encryptedDataKey: encryptedDataKey as string };
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
    commitment: base64Field(json, "commitment", "", COMMITMENT_BYTES),
    iv: base64Field(json, "iv", "", 12),
    tag: base64Field(json, "tag", "", 16),
    ciphertext: json.ciphertext === "" ? Buffer.alloc(0) : base64Field(json, "ciphertext", ""),
  };
}

/** Who a recipient is, in words for messages (identifiers were checked when parsed). */
export function describeRecipient(r: Pick<Recipient, "keyId" | "keyVersionId" | "certificateId" | "region">): string {
  return r.certificateId !== undefined ? `certificate ${r.certificateId} in ${r.region}` : `key ${r.keyId} in ${r.region}`;
}

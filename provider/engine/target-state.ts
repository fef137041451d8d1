import { type EnvelopeTarget, type PlaintextEncoding } from "../crypto/envelope-format";
import { hasRecipients, readEnvelope } from "../crypto/any-envelope";
import { isRegionId, isResourceId, printable } from "../kms/identifiers";
import { KmsCallError } from "../kms/kms-call-error";
import { isUnknownKeyVersion } from "../kms/kms-service";
import { type Algorithm, isAlgorithm, isSymmetric } from "../kms/key-spec-limits";
import { type EnvelopeFormatName, isEnvelopeFormatName, type SharedInputs, type Target } from "./inputs";
import type { EncryptionContext } from "../kms/encryption-context";
import type { Unknown } from "./wire-values";
import { EncryptedValueError, type ProviderContext } from "./provider-context";
import type { ResolvedTarget } from "./resolve-target";
import { isUnknown, reveal, revealName, revealText, UNKNOWN } from "./wire-values";
import { canonicalContext, isEncryptionContext } from "../kms/encryption-context";

// The key or certificate a resource encrypts under, as check returns it, as diff compares it, as
// create and update read it back, and as refresh finds it: the same for one value and for a map of
// them. What is about the plaintexts stays with each resource's provider.

type Props = Record<string, unknown>;

/** One target's fields, as the target outputs (and each entry of `recipients`) hold them. */
export function targetFields(
  t: Target, target: ResolvedTarget, encryptionContext: EncryptionContext | Unknown | undefined,
): Props {
  return {
    ...(t.kind === "key"
      ? { keyId: target.id, keyVersionId: target.keyVersionId ?? UNKNOWN, kmsInstanceId: target.kmsInstanceId ?? "", certificateId: "" }
      : { certificateId: target.id, keyId: "", keyVersionId: "", kmsInstanceId: "" }),
    algorithm: target.algorithm,
    keySpec: target.keySpec,
    region: target.region,
    // {} where there is none (never a secret: check refuses one).
    encryptionContext: encryptionContext ?? {},
  };
}

/**
 * What check returns about the target. Every name shared with an output holds exactly what that
 * output will be (a preview shows checked inputs as outputs): keyId the key's own ID (the program's
 * alias or ARN is keyReference), keyVersionId the version up will use (a pin is pinnedKeyVersionId).
 */
export function checkedTargetFields(inputs: SharedInputs, target: ResolvedTarget, encryptLocally: boolean): Props {
  const t = inputs.target;
  return {
    ...targetFields(t, target, inputs.encryptionContext),
    // Inputs only.
    ...(t.kind === "key" ? { keyReference: t.keyId, ...(t.keyVersionId !== undefined ? { pinnedKeyVersionId: t.keyVersionId } : {}) } : {}),
    changeDetection: inputs.changeDetection,
    // Not compared by diff: both ways give the same kind of ciphertext.
    encryptLocally,
    ...(inputs.envelope ? { envelopeEncryption: true } : {}),
    valueUrn: inputs.valueUrn,
    // An output too: which format the envelope output is in.
    envelopeFormat: inputs.envelopeFormat,
    plaintextEncoding: plaintextEncodingOf(target.algorithm, inputs.envelope),
  };
}

/**
 * An output too: how KMS's Plaintext carries what ciphertextBlob holds. "text" for a symmetric
 * key's direct value (Encrypt got the value's own text, and every client's Decrypt returns it);
 * "base64" for the asymmetric and certificate operations, and for data keys.
 */
function plaintextEncodingOf(algorithm: Algorithm | Unknown, envelope: boolean): PlaintextEncoding | Unknown {
  if (isUnknown(algorithm)) return UNKNOWN;
  return isSymmetric(algorithm) && !envelope ? "text" : "base64";
}

/** A stored or checked context in one spelling, for comparing; none is {}. */
function contextSpelling(value: unknown): string {
  const v = reveal(value);
  if (isUnknown(v)) return UNKNOWN;
  return canonicalContext(isEncryptionContext(v) ? v : {});
}

/** Whether a stored envelope (state, so read with care) is envelope encryption; undefined if unreadable. */
export function storedAsEnvelopeEncryption(envelope: unknown): boolean | undefined {
  if (typeof envelope !== "string") return false; // state from before every value had an envelope
  try {
    const e = readEnvelope(envelope);
    return hasRecipients(e) || e.encryptedDataKey !== undefined;
  } catch {
    return undefined;
  }
}

/** What each field shown to a person looks like when it is what KMS or this package wrote. */
const SHAPES: Record<string, (v: unknown) => boolean> = {
  keyId: isResourceId,
  keyVersionId: isResourceId,
  certificateId: isResourceId,
  region: isRegionId,
  algorithm: isAlgorithm,
  changeDetection: (v) => v === "digest" || v === "trigger",
  plaintextRevision: (v) => typeof v === "number" && Number.isSafeInteger(v),
  envelopeFormat: isEnvelopeFormatName,
};

/**
 * A value read back from state (or checked inputs), fit to show a person: as it is when it has its
 * field's shape, escaped and quoted otherwise. Whoever can write the backend chooses these, and
 * escape sequences in them would rewrite the terminal (hidden text, planted links) in a preview.
 */
export function shownValue(field: string, value: unknown): string {
  if (value === undefined) return "(none)";
  return SHAPES[field]?.(value) ? String(value) : printable(value);
}

/** Text of our own stored in state (staleReason): printable ASCII as it is, anything else escaped. */
export function shownText(value: string): string {
  return /^[\x20-\x7e]{0,500}$/.test(value) ? value : printable(value, 500);
}

/**
 * Why everything under the target must be re-encrypted, comparing the old outputs with the checked
 * inputs, in words fit for the engine's log (IDs, versions, revisions: never a secret). `content`
 * adds the plaintexts' own reasons when change detection stayed as it was; `storedEnvelope` is one
 * envelope from the old outputs.
 */
export function reencryptionReasons(olds: Props, news: Props, storedEnvelope: unknown, content: () => string[]): string[] {
  const was = (name: string) => reveal(olds[name]);
  const now = (name: string) => reveal(news[name]);
  const moved = (name: string) => isUnknown(now(name)) || now(name) !== was(name);
  const change = (name: string) =>
    `${shownValue(name, was(name))} → ${isUnknown(now(name)) ? "(known at up)" : shownValue(name, now(name))}`;
  const reasons: string[] = [];
  if (revealName(now("certificateId")) !== undefined) {
    if (moved("certificateId") || revealName(was("keyId")) !== undefined) reasons.push(`the certificate changed (${change("certificateId")})`);
  } else if (moved("keyId")) reasons.push(`the key changed (${change("keyId")})`);
  else if (moved("keyVersionId")) reasons.push(`the key version changed (${change("keyVersionId")})`);
  if (moved("algorithm")) reasons.push(`the algorithm changed (${change("algorithm")})`);
  if (contextSpelling(news.encryptionContext) !== contextSpelling(olds.encryptionContext)) {
    reasons.push(isUnknown(reveal(news.encryptionContext)) ? "the encryption context changed (known at up)" : "the encryption context changed");
  }
  if (moved("changeDetection")) reasons.push(`change detection changed (${change("changeDetection")})`);
  else reasons.push(...content());
  // The input is envelopeEncryption: true; the output is the envelope string, of either kind.
  const before = storedAsEnvelopeEncryption(storedEnvelope);
  if (before === undefined) reasons.push("the stored envelope cannot be read");
  else if ((now("envelopeEncryption") === true) !== before) {
    reasons.push(`envelope encryption switched ${now("envelopeEncryption") === true ? "on" : "off"}`);
  }
  const format = (v: unknown) => (v === undefined ? "native" : v);
  if (format(was("envelopeFormat")) !== format(now("envelopeFormat"))) {
    reasons.push(`the envelope format changed (${shownValue("envelopeFormat", format(was("envelopeFormat")))} → ` +
      `${shownValue("envelopeFormat", format(now("envelopeFormat")))})`);
  }
  // Before 0.2 a symmetric direct value went to Encrypt as base64, which every other KMS client's
  // Decrypt (kmsEncryptedPassword among them) would have returned as it is.
  if (was("algorithm") === "SYMMETRIC_DEFAULT" && before === false && was("plaintextEncoding") !== "text" && now("plaintextEncoding") === "text") {
    reasons.push("its ciphertext holds base64 of the plaintext (written before 0.2); re-encrypted once so that KMS's Decrypt, " +
      "for every client, returns the text itself");
  }
  reasons.push(...recipientReasons(olds, news));
  const stale = revealName(olds.staleReason);
  // Said as what the last refresh found: the key may have been enabled again since.
  if (stale) reasons.push(`the last refresh found the stored ciphertext stale (${shownText(stale)})`);
  return reasons;
}

/** The recipients as stored or checked (state, so read with care): objects only; none is []. */
export function storedRecipients(value: unknown): Props[] {
  const v = reveal(value);
  return Array.isArray(v) ? v.filter((r): r is Props => typeof r === "object" && r !== null && !Array.isArray(r)) : [];
}

/** A recipient in the engine's log; from state, so every part escaped (it could hold anything). */
function recipientName(r: Props): string {
  const shown = (v: string | undefined, valid: (s: string) => boolean) => (v !== undefined && valid(v) ? v : printable(v ?? ""));
  const certificateId = revealName(r.certificateId);
  const who = certificateId ? `certificate ${shown(certificateId, isResourceId)}` : `key ${shown(revealName(r.keyId), isResourceId)}`;
  return `${who} in ${shown(revealText(r.region), isRegionId)}`;
}

/**
 * Why the recipients after the first (the first is the target compared above) need a new envelope:
 * one added, removed or replaced, or one's version, algorithm or context moved.
 */
function recipientReasons(olds: Props, news: Props): string[] {
  if (isUnknown(reveal(news.recipients))) return ["the recipients changed (known at up)"];
  const was = storedRecipients(olds.recipients);
  const now = storedRecipients(news.recipients);
  if (was.length <= 1 && now.length <= 1) return [];
  const identity = (r: Props) => `${String(reveal(r.keyId))}/${String(reveal(r.certificateId))}/${String(reveal(r.region))}`;
  if (was.length !== now.length || now.some((r, i) => isUnknown(reveal(r.keyId)) || identity(r) !== identity(was[i]!))) {
    return [`the recipients changed (${was.map(recipientName).join(", ") || "one"} → ${now.map(recipientName).join(", ")})`];
  }
  const reasons: string[] = [];
  now.forEach((r, i) => {
    if (i === 0) return;
    const before = was[i]!;
    for (const [field, what] of [["keyVersionId", "key version"], ["algorithm", "algorithm"]] as const) {
      const a = reveal(before[field]);
      const b = reveal(r[field]);
      if (isUnknown(b) || a !== b) {
        reasons.push(`recipients[${i}] (${recipientName(r)}): the ${what} changed (${shownValue(field, a)} → ${isUnknown(b) ? "(known at up)" : shownValue(field, b)})`);
      }
    }
    if (contextSpelling(r.encryptionContext) !== contextSpelling(before.encryptionContext)) {
      reasons.push(`recipients[${i}] (${recipientName(r)}): the encryption context changed`);
    }
  });
  return reasons;
}

/** The target as create and update read it from the checked inputs. */
export interface StoredTarget {
  region: string;
  algorithm: Algorithm;
  /** What the envelope names and KMS is called with. */
  encryptionTarget: EnvelopeTarget;
  encryptLocally: boolean;
  envelope: boolean;
  envelopeFormat: EnvelopeFormatName;
  kmsInstanceId?: string;
  /** The property and value a failure names: the program's own reference. */
  blame: { property: "keyId" | "certificateId"; value: string };
  /** The outputs about the target, every one present ("" where it does not apply). */
  outputs: Props;
}

/** A recipient after the first, as create and update encrypt for it. */
export interface StoredRecipient {
  encryptionTarget: EnvelopeTarget;
  algorithm: Algorithm;
  region: string;
}

/**
 * The recipients after the first, from the checked inputs: each checked for its shape, since
 * nothing read back may reach a host name or a request unchecked.
 */
export function storedMoreRecipients(inputs: Props): StoredRecipient[] {
  return storedRecipients(inputs.recipients).slice(1).map((r, i) => {
    const region = revealText(r.region);
    const algorithm = revealText(r.algorithm);
    const encryptionTarget = storedEncryptionTarget(r);
    const { certificateId, keyId, keyVersionId } = encryptionTarget;
    const valid = region !== undefined && isRegionId(region) && isAlgorithm(algorithm)
      && (certificateId
        ? isResourceId(certificateId)
        : keyId !== undefined && isResourceId(keyId) && keyVersionId !== undefined && isResourceId(keyVersionId));
    if (!valid) throw new EncryptedValueError(`recipients[${i + 1}] in the checked inputs is malformed; run pulumi up again`);
    return { encryptionTarget, algorithm, region };
  });
}

/** What a stored target (the value's, or one recipient's) names and KMS is called with; a context only when there is one. */
function storedEncryptionTarget(fields: Props): EnvelopeTarget {
  const certificateId = revealName(fields.certificateId);
  if (certificateId) return { certificateId };
  const context = reveal(fields.encryptionContext);
  return {
    keyId: revealName(fields.keyId) as string,
    keyVersionId: revealName(fields.keyVersionId) as string,
    ...(isEncryptionContext(context) ? { encryptionContext: context } : {}),
  };
}

export function storedTarget(inputs: Props): StoredTarget {
  const format = reveal(inputs.envelopeFormat);
  const envelopeFormat: EnvelopeFormatName = isEnvelopeFormatName(format) ? format : "native";
  const region = revealText(inputs.region) as string;
  const algorithm = revealText(inputs.algorithm) as Algorithm;
  const certificateId = revealName(inputs.certificateId);
  const keyId = revealName(inputs.keyId);
  const keyVersionId = revealName(inputs.keyVersionId);
  const kmsInstanceId = revealName(inputs.kmsInstanceId);
  const encryptionTarget = storedEncryptionTarget(inputs);
  return {
    region,
    algorithm,
    encryptionTarget,
    encryptLocally: reveal(inputs.encryptLocally) === true,
    envelope: reveal(inputs.envelopeEncryption) === true,
    envelopeFormat,
    ...(kmsInstanceId ? { kmsInstanceId } : {}),
    blame: certificateId
      ? { property: "certificateId", value: certificateId }
      : { property: "keyId", value: revealText(inputs.keyReference) ?? keyId ?? "" },
    // Every output, every time: in a preview, an output missing from a resource that stays the
    // same would show as unknown instead of as it is.
    outputs: {
      keyId: keyId ?? "",
      keyVersionId: keyVersionId ?? "",
      kmsInstanceId: kmsInstanceId ?? "",
      certificateId: certificateId ?? "",
      algorithm,
      keySpec: revealText(inputs.keySpec),
      region,
      changeDetection: revealText(inputs.changeDetection) ?? "digest",
      encryptionContext: encryptionTarget.encryptionContext ?? {},
      plaintextEncoding: revealText(inputs.plaintextEncoding) ?? "base64",
      envelopeFormat,
      staleReason: "",
    },
  };
}

/** Why the stored ciphertexts can no longer be decrypted (refresh), or undefined when they still can. */
export async function staleReason(props: Props, context: ProviderContext): Promise<string | undefined> {
  const recipients = storedRecipients(props.recipients);
  if (recipients.length <= 1) return targetStaleReason(props, context);
  // Any recipient that can no longer decrypt makes the envelope stale: the next up re-wraps it.
  const reasons = await Promise.all(recipients.map(async (r, i) => {
    const reason = await targetStaleReason(i === 0 ? props : r, context);
    return reason && `recipients[${i}]: ${reason}`;
  }));
  const stale = reasons.filter((r) => r !== undefined);
  return stale.length > 0 ? stale.join("; ") : undefined;
}

/** One key or certificate: why it can no longer decrypt, or undefined. */
async function targetStaleReason(props: Props, context: ProviderContext): Promise<string | undefined> {
  const services = context.services;
  const region = revealName(props.region) ?? services.regionFor(revealName(props.keyId));
  if (!region) return undefined;
  const certificateId = revealName(props.certificateId);
  const keyId = revealName(props.keyId);
  const keyVersionId = revealName(props.keyVersionId);
  // State is read back from a file anyone with write access to the backend could have edited:
  // nothing from it reaches a host name or a request before its shape is checked.
  const tampered = [["region", region, isRegionId], ["certificateId", certificateId, isResourceId], ["keyId", keyId, isResourceId],
    ["keyVersionId", keyVersionId, isResourceId]] as const;
  for (const [name, value, valid] of tampered) {
    if (value !== undefined && !valid(value)) {
      throw new EncryptedValueError(`the stored ${name} ${printable(value)} is not a valid ${name}; the state was altered. Nothing was sent to KMS; ` +
        "restore the state, or remove this resource from it (pulumi state delete) and run pulumi up");
    }
  }
  const kms = services.directIn(region);
  try {
    if (certificateId) {
      const cert = await kms.describeCertificate(certificateId);
      return cert.status === "ACTIVE" ? undefined : `certificate ${certificateId} is ${cert.status}; the next up re-encrypts once certificateId names an ACTIVE one`;
    }
    if (!keyId) return undefined;
    const key = await kms.describeKey(keyId);
    if (key.keyState !== "Enabled") return `key ${keyId} is ${key.keyState}; it cannot decrypt this ciphertext`;
    if (keyVersionId) await kms.describeKeyVersion(keyId, keyVersionId);
    return undefined;
  } catch (e) {
    if (e instanceof KmsCallError && (["Forbidden.KeyNotFound", "Certificate.NotFound"].includes(e.code) || isUnknownKeyVersion(e.code))) {
      return `${certificateId ? `certificate ${certificateId}` : `key ${keyId}${isUnknownKeyVersion(e.code) ? ` version ${keyVersionId}` : ""}`} no longer exists (${e.code}); the next up re-encrypts`;
    }
    throw context.userError(e, certificateId ? "certificateId" : "keyId", certificateId ?? keyId ?? "", region);
  }
}

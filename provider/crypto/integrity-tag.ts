import { createHash, createHmac, timingSafeEqual } from "node:crypto";

// The integrity tags: what ties what state keeps for a value (and each entry) to that value, to the
// plaintext it was made for, and to every other output.
//
// The stack's integrity key is 32 random bytes kept as a Pulumi secret (engine/integrity-key-provider.ts),
// which whoever can write the backend without the stack's secrets provider can neither read nor
// forge. Each value gets its own key, HMAC-SHA256(stack key, "…/integrity/v1/value\n" + URN), so
// the tags of one value verify under no other. Two kinds of tag, under the value's key:
//   value tag:   HMAC("pulumi-alicloud-kms-encrypted/integrity/v2/value\n" + canonical JSON [entry, mark, covered])
//                per value or entry ("" for EncryptedValue's one value): `mark` is what the program says
//                about the plaintext now (its digest or trigger), `covered` what state keeps for it, its
//                revision and every output shared with the other entries. Only up can check it (refresh
//                runs no program, so has no mark): it is what makes a rollback to an older state of the
//                value's own fail, since that state was made for another plaintext.
//   outputs tag: HMAC("pulumi-alicloud-kms-encrypted/integrity/v2/outputs\n" + canonical JSON outputs)
//                once per resource, over every output but the tag itself, the value's key and
//                staleReason: what refresh checks.
// The version 1 tags of 0.2 covered only the stored strings; state holding them moves to these at its
// next up (engine/integrity.ts), and they are never checked again. Keys and tags are base64url
// without padding (43 characters).

const KEY_BYTES = 32;
const ENCODED = /^[A-Za-z0-9_-]{43}$/;
const VALUE_DOMAIN = "pulumi-alicloud-kms-encrypted/integrity/v2/value\n";
const OUTPUTS_DOMAIN = "pulumi-alicloud-kms-encrypted/integrity/v2/outputs\n";

/** Whether `value` has the shape of an integrity key or tag (state and the wire are anyone's). */
export function isIntegrityText(value: unknown): value is string {
  return typeof value === "string" && ENCODED.test(value);
}

/**
 * A value's integrity root when the stack has no key of its own (the resource plugin without
 * alicloud-kms:integrityKey): from the engine's random seed for the step that first checks the
 * value, which a saved plan replays, so that `preview --save-plan` and `up --plan` agree. It then
 * plays the stack key's part for that value alone, kept as a secret among its inputs.
 */
export function seededIntegrityRoot(randomSeed: Uint8Array, valueUrn: string): string {
  return createHmac("sha256", randomSeed).update(`pulumi-alicloud-kms-encrypted/integrity/v1/root\n${valueUrn}`, "utf8").digest("base64url");
}

/** The value's own key, from the stack's (both base64url). */
export function valueIntegrityKey(stackKey: string, valueUrn: string): string {
  const key = Buffer.from(stackKey, "base64url");
  try {
    if (key.length !== KEY_BYTES) throw new RangeError("the stack's integrity key is not 32 bytes");
    return createHmac("sha256", key).update(`pulumi-alicloud-kms-encrypted/integrity/v1/value\n${valueUrn}`, "utf8").digest("base64url");
  } finally {
    key.fill(0);
  }
}

/**
 * One spelling of a JSON-like value: object keys sorted, members that are undefined or null left out
 * (the engine may drop either), arrays in order. Anything else (a function, a bigint) is refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("a number in a tagged output is not finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const members = Object.keys(value).sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${members.join(",")}}`;
  }
  throw new TypeError(`a tagged output holds a ${typeof value}`);
}

/** SHA-256 of a value's canonical JSON (base64url): what many entries' tags share, hashed once. */
export function coveredDigest(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("base64url");
}

function hmac(valueKey: string, domain: string, text: string): string {
  const key = Buffer.from(valueKey, "base64url");
  try {
    return createHmac("sha256", key).update(domain, "utf8").update(text, "utf8").digest("base64url");
  } finally {
    key.fill(0);
  }
}

/** The value tag of one value or entry: `mark` the plaintext's digest or trigger, `covered` what state keeps for it. */
export function valueTag(valueKey: string, entry: string, mark: string, covered: unknown): string {
  return hmac(valueKey, VALUE_DOMAIN, canonicalJson([entry, mark, covered]));
}

/** The outputs tag of one resource: `covered` every output but the tag, the key and staleReason. */
export function outputsTag(valueKey: string, covered: unknown): string {
  return hmac(valueKey, OUTPUTS_DOMAIN, canonicalJson(covered));
}

/** Whether `tag` (from state: anything) is `expected`, in constant time. */
export function tagIs(expected: string, tag: unknown): boolean {
  return isIntegrityText(tag) && timingSafeEqual(Buffer.from(expected, "utf8"), Buffer.from(tag, "utf8"));
}

/**
 * A keyed digest of a value under the value's key ("…/keepers/v1"): what state keeps of
 * EncryptedRandomPassword's keepers, which may be secrets, to tell a change without storing them.
 */
export function keepersDigest(valueKey: string, keepers: unknown): string {
  return hmac(valueKey, "pulumi-alicloud-kms-encrypted/keepers/v1\n", canonicalJson(keepers));
}

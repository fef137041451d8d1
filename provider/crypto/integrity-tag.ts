import { createHmac, timingSafeEqual } from "node:crypto";

// The integrity tag: what ties a ciphertext in state to the value (and entry) it belongs to.
//
// The stack's integrity key is 32 random bytes kept as a Pulumi secret (engine/integrity-key-provider.ts),
// which whoever can write the backend without the stack's secrets provider can neither read nor
// forge. Each value gets its own key, HMAC-SHA256(stack key, "…/integrity/v1/value\n" + URN), so
// the tags of one value verify under no other. A tag is
//   HMAC-SHA256(value key, "pulumi-alicloud-kms-encrypted/integrity/v1\n" + JSON [entry, ...stored])
// over the strings state keeps for the value or entry ("" for EncryptedValue's one value): its
// ciphertextBlob and envelope, or an entry's stored ciphertext or envelope and which of the two it is.
// Keys and tags are base64url without padding (43 characters).

const KEY_BYTES = 32;
const ENCODED = /^[A-Za-z0-9_-]{43}$/;

/** Whether `value` has the shape of an integrity key or tag (state and the wire are anyone's). */
export function isIntegrityText(value: unknown): value is string {
  return typeof value === "string" && ENCODED.test(value);
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

/** The tag of what state keeps for one value or entry, under the value's key. */
export function integrityTag(valueKey: string, entry: string, stored: readonly string[]): string {
  const key = Buffer.from(valueKey, "base64url");
  try {
    return createHmac("sha256", key)
      .update(`pulumi-alicloud-kms-encrypted/integrity/v1\n${JSON.stringify([entry, ...stored])}`, "utf8")
      .digest("base64url");
  } finally {
    key.fill(0);
  }
}

/** Whether `tag` (from state: anything) is the tag of `stored` under `valueKey`, in constant time. */
export function tagMatches(valueKey: string, entry: string, stored: readonly unknown[], tag: unknown): boolean {
  if (!isIntegrityText(valueKey) || !isIntegrityText(tag) || !stored.every((s) => typeof s === "string")) return false;
  return timingSafeEqual(Buffer.from(integrityTag(valueKey, entry, stored as string[]), "utf8"), Buffer.from(tag, "utf8"));
}

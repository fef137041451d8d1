// Base64 as this package reads it: a shared encoding on the ground floor, used by the engine (plaintextBase64),
// crypto (envelopes) and kms (KMS's Plaintext) alike.

/**
 * Strict base64 (RFC 4648 §4, padded), checked in linear time and constant stack: a regular
 * expression with a repeated group (`(?:[…]{4})*`) overflows V8's stack past a few megabytes, and
 * envelopes of large values are that big.
 */
export function isStrictBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  const padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return BASE64_ALPHABET.test(padding ? s.slice(0, -padding) : s);
}
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;

/** isStrictBase64 where a RegExp-like `test` was used. */
export const STRICT_BASE64 = { test: isStrictBase64 } as const;

// base64url is accepted too for plaintextBase64, since users paste both.
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** plaintextBase64's bytes, or undefined when it is not base64 (the SDK digests the same bytes). */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (STRICT_BASE64.test(compact)) return Buffer.from(compact, "base64");
  if (BASE64URL.test(compact) && compact.length % 4 !== 1) return Buffer.from(compact, "base64url");
  return undefined;
}

import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// Change detection without the plaintext: a salted scrypt digest, stored only as a secret.
// Format: scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<32-byte hash, base64url>. The parameters
// travel with the digest, so raising them later only affects newly digested values.
//
// Cost: N=2^12, r=8, p=1 uses 4 MiB and ~8 ms of one core per value. That keeps 1,000 values
// within seconds per check pass (the README's figures) while every guess against a leaked digest
// costs the same memory-hard work; the 16-byte random salt rules out precomputed tables and
// cross-stack comparison. Low-entropy secrets should use changeDetection "trigger" (no digest).

export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

export const CURRENT_PARAMS: ScryptParams = { logN: 12, r: 8, p: 1 };
const HASH_BYTES = 32;
const SALT_BYTES = 16;
// Refuse parameters from state that would make check itself a denial of service.
const MAX_LOG_N = 20;

interface ParsedDigest extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

function derive(plaintext: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) =>
    scrypt(plaintext, salt, HASH_BYTES, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + (1 << 20) },
      (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function format(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export function parseDigest(value: unknown): ParsedDigest | undefined {
  if (typeof value !== "string") return undefined;
  const parts = value.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger) || logN < 1 || logN > MAX_LOG_N || r < 1 || r > 32 || p < 1 || p > 16) {
    return undefined;
  }
  const salt = Buffer.from(parts[4] as string, "base64url");
  const hash = Buffer.from(parts[5] as string, "base64url");
  if (salt.length < SALT_BYTES || hash.length !== HASH_BYTES) return undefined;
  return { logN, r, p, salt, hash };
}

/**
 * The digest to store for this plaintext. When the previous digest (from the old inputs) matches,
 * it is returned unchanged, so an unchanged plaintext never shows up as a diff.
 */
export async function digestPlaintext(plaintext: Buffer, previous?: unknown): Promise<string> {
  const old = parseDigest(previous);
  if (old) {
    const hash = await derive(plaintext, old.salt, old);
    if (timingSafeEqual(hash, old.hash)) return previous as string;
  }
  const salt = randomBytes(SALT_BYTES);
  return format(CURRENT_PARAMS, salt, await derive(plaintext, salt, CURRENT_PARAMS));
}

import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// Change detection without the plaintext: a salted scrypt digest, stored only as a secret.
// Format: scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<32-byte hash, base64url>. The parameters
// travel with the digest, so raising them later only affects newly digested values.
//
// Cost: N=2^12, r=8, p=1 uses 4 MiB and ~8 ms of one core per value. That keeps 1,000 values
// within seconds per check pass (the README's figures) while every guess against a leaked digest
// costs the same memory-hard work; the 16-byte random salt rules out precomputed tables and
// cross-stack comparison. Low-entropy secrets should use changeDetection "trigger" (no digest).
//
// Where it is computed: the engine calls check once per resource, one resource after another, so
// ~8 ms of scrypt in check is ~8 ms of wall time per value (the benchmark measured 14–20 ms under
// load: 3–4 s of a 200-value up). The SDK therefore computes the digest in the program, where all
// values are digested in parallel before registration, with a salt it can derive without the old
// state: SHA-256 of the stack's identity and the resource's name (saltFor). That salt is unique per
// value and stable across runs, so check compares strings. A random salt (digestPlaintext without
// an offered digest) remains for inputs that arrive without one, and old digests keep verifying.

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

/** What a value's salt is derived from: where it lives, which is unique and stable per value. */
export interface ValueIdentity {
  organization: string;
  project: string;
  stack: string;
  name: string;
}

/** 16 bytes of SHA-256 over the value's identity, domain-separated from any other use. */
export function saltFor(id: ValueIdentity): Buffer {
  const fields = ["pulumi-alicloud-kms-encrypted plaintextDigest salt v1", id.organization, id.project, id.stack, id.name];
  return createHash("sha256").update(fields.join("\0")).digest().subarray(0, SALT_BYTES);
}

/** The digest of this plaintext under this salt and the current parameters. */
export async function digestWithSalt(plaintext: Buffer, salt: Buffer): Promise<string> {
  return format(CURRENT_PARAMS, salt, await derive(plaintext, salt, CURRENT_PARAMS));
}

function sameSalt(a: ParsedDigest, b: ParsedDigest): boolean {
  return a.logN === b.logN && a.r === b.r && a.p === b.p && a.salt.equals(b.salt);
}

/**
 * The digest to store for this plaintext. `offered` is the SDK's digest of the same plaintext
 * (digestWithSalt), trusted as the program's own. When the previous digest (from the old inputs)
 * has the same salt, the two are compared as strings; otherwise a previous digest that still
 * matches is returned unchanged (one scrypt), so an unchanged plaintext never shows up as a diff.
 */
export async function digestPlaintext(plaintext: Buffer, previous?: unknown, offered?: unknown): Promise<string> {
  const old = parseDigest(previous);
  const fresh = parseDigest(offered) ? (offered as string) : undefined;
  if (old && !(fresh && sameSalt(old, parseDigest(fresh)!))) {
    const hash = await derive(plaintext, old.salt, old);
    if (timingSafeEqual(hash, old.hash)) return previous as string;
  }
  return fresh ?? digestWithSalt(plaintext, randomBytes(SALT_BYTES));
}

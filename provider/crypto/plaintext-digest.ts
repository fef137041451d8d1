import { createHash, scrypt } from "node:crypto";

// Change detection without the plaintext: scrypt of the plaintext under a salt unique to the value.
// Format: scrypt$12$8$1$<16-byte salt, base64url>$<32-byte hash, base64url>.
//
// The salt: the first 16 bytes of SHA-256 over a domain label, the stack's digest salt and the
// value's URN. The stack's digest salt is 32 random bytes drawn when the stack's first value is
// created (the DigestSalt resource, see sdk/digest-salt.ts), so no table can be computed before the
// stack exists and none serves two stacks; the URN (type, parent chain, name) makes it unique per
// value, so two values with the same name under different parents never share a digest.
//
// Where it is computed: in the program (sdk/plaintext-digest-input.ts), every value in parallel
// before registration, because the engine runs check for one resource after another; check then
// compares strings. Cost: N=2^12, r=8, p=1 uses 4 MiB and ~8 ms of one core per value, and the same
// per guess for anyone holding a digest.
//
// Where it is kept: only among the checked inputs, as a Pulumi secret; never among the outputs.
// The Node SDK prints every output of every resource, secrets in clear, in a debug diagnostic
// that `pulumi up --json` writes to stdout; a digest there would be an offline guessing oracle.

export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

export const CURRENT_PARAMS: ScryptParams = { logN: 12, r: 8, p: 1 };
const HASH_BYTES = 32;
const SALT_BYTES = 16;

/**
 * The only digests this package writes, and so the only ones it accepts: state or a program
 * offering anything else (say, scrypt parameters costing minutes per check) is simply a change.
 */
const DIGEST = /^scrypt\$12\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === "string" && DIGEST.test(value);
}

function derive(plaintext: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) =>
    scrypt(plaintext, salt, HASH_BYTES, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + (1 << 20) },
      (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * The value's salt: from the stack's random digest salt and the value's URN, and for an entry of a
 * map of values (EncryptedValues) its name, so no two entries share one.
 */
export function saltFor(stackSalt: string, valueUrn: string, entry?: string): Buffer {
  const fields = ["pulumi-alicloud-kms-encrypted plaintextDigest salt v2", stackSalt, valueUrn, ...(entry === undefined ? [] : [entry])];
  return createHash("sha256").update(fields.join("\0")).digest().subarray(0, SALT_BYTES);
}

/** The digest of this plaintext under this salt and the current parameters. */
export async function digestWithSalt(plaintext: Buffer, salt: Buffer): Promise<string> {
  const hash = await derive(plaintext, salt, CURRENT_PARAMS);
  const { logN, r, p } = CURRENT_PARAMS;
  return `scrypt$${logN}$${r}$${p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

import { createHash } from "node:crypto";
import { isIntegrityText, seededIntegrityRoot } from "../crypto/integrity-tag";
import { digestWithSalt, isDigest, saltFor } from "../crypto/plaintext-digest";
import { decodeBase64 } from "../base64";
import { digestMap } from "./entries-inputs";
import type { CheckFailure } from "./inputs";
import { ROOT_INPUT, STACK_KEY_INPUT, withoutPlaintexts } from "./integrity";
import { isSecretWire, isUnknown, reveal, secret, UNKNOWN } from "./wire-values";

// What the TypeScript SDK computes in the program and sends beside the user's inputs (valueUrn,
// plaintextDigest(s), stackIntegrityKey), computed instead from what a resource plugin's
// CheckRequest carries, for programs whose SDK is generated from the schema and runs no code of ours.
//   valueUrn           the request's URN
//   plaintextDigest(s) scrypt as the SDK's (crypto/plaintext-digest.ts), under the salt the value
//                      already has (read from its stored digest), or for a new value (or entry) one
//                      derived from the engine's randomSeed for this resource and its URN: the engine
//                      draws the seed at random per step and replays it from a saved plan, so
//                      `preview --save-plan` and `up --plan` check the same inputs
//   stackIntegrityKey  the plugin's `alicloud-kms:integrityKey` config (a stack secret), which plays
//                      the part of the TypeScript SDK's IntegrityKey resource: never in the
//                      value's state, so state cannot choose the key it is checked under
// and the preview warnings the SDK gives for a guessable plaintext in digest mode.

type Props = Record<string, unknown>;

/** What the plugin knows of the value beyond its inputs. */
export interface PluginRequest {
  urn: string;
  /** CheckRequest.randomSeed: 32 random bytes per resource per step, the same in a plan's replay. */
  randomSeed: Uint8Array;
  /** The stack's integrity key from config (base64 or base64url of 32 bytes), if set. */
  integrityKey: string | undefined;
  /** The key's setting, when the stack config holds the key in clear (set without --secret): refused. */
  integrityKeyInClear?: string;
}

export interface ProgramInputs {
  news: Props;
  /** Preview warnings, naming the value and entry, never the plaintext. */
  warnings: string[];
  /** What refuses the value before its provider's check (a stack key in clear). */
  failures: CheckFailure[];
}

/** What a check answers (the dynamic provider's CheckResult, without importing @pulumi/pulumi: readers load this module too). */
interface CheckResult {
  inputs?: Props;
  failures?: CheckFailure[];
}

/** The refusal of a stack integrity key stored in clear in the stack's config. */
function keyInClear(configKey: string): CheckFailure {
  return { property: "", reason: `${configKey} is set in clear in the stack's config (Pulumi.<stack>.yaml, often committed), ` +
    "where whoever reads it can forge the integrity tags that tie each ciphertext in state to its value. Replace it with a new " +
    `one, as a secret (every value is then re-encrypted once): pulumi config set --secret ${configKey} "$(openssl rand -base64 32)"` };
}

/** Under this many bytes, or digits only, a plaintext is worth a warning in digest mode. */
const GUESSABLE_BELOW_BYTES = 12;

/** The warning for a plaintext whose digest is cheap to guess, or undefined. */
export function guessableWarning(bytes: Buffer, name: string, entry?: string): string | undefined {
  const digits = /^[0-9]+$/.test(bytes.toString("latin1"));
  if (bytes.length >= GUESSABLE_BELOW_BYTES && !digits) return undefined;
  return `${name}${entry ? ` entry ${entry}` : ""}: the plaintext is ${digits ? "digits only" : `under ${GUESSABLE_BELOW_BYTES} bytes`}, ` +
    "and in digest mode whoever holds the stack's secrets can test guesses against its digest offline (about 7–12 ms each); " +
    "set changeDetection: \"trigger\" to keep no digest";
}

/** The value's logical name, for messages. */
export function logicalName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/**
 * Fewer distinct byte values than this in 32 bytes is no random key (zeros, a repeated pattern, a
 * typed phrase): anyone could compute the tags. 32 random bytes have about 30 distinct values, and
 * fewer than 16 with a chance under 2^-51.
 */
const MIN_DISTINCT_BYTES = 16;

/** The stack key as the integrity code takes it (base64url of 32 bytes), or undefined when malformed or trivially weak. */
export function normalizedIntegrityKey(configured: string): string | undefined {
  const text = configured.trim();
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), "base64url");
  try {
    if (bytes.length !== 32 || new Set(bytes).size < MIN_DISTINCT_BYTES) return undefined;
    return bytes.toString("base64url");
  } finally {
    bytes.fill(0);
  }
}

/** The salt a digest was made under (digests are `scrypt$12$8$1$<salt>$<hash>`). */
function saltOf(digest: unknown): Buffer | undefined {
  return isDigest(digest) ? Buffer.from(digest.split("$")[4], "base64url") : undefined;
}

/** A new value's (or entry's) salt: the engine's seed stands where the SDK has the stack's digest salt. */
function seededSalt(request: PluginRequest, entry?: string): Buffer {
  const seed = createHash("sha256").update("pulumi-alicloud-kms-encrypted plugin seed\0").update(request.randomSeed).digest("base64url");
  return saltFor(seed, request.urn, entry);
}

/** The plaintext's bytes for digesting; UNKNOWN in a preview that cannot tell; undefined when check will refuse it. */
function plaintextBytes(news: Props): Buffer | typeof UNKNOWN | undefined {
  const text = reveal(news.plaintext);
  const base64 = reveal(news.plaintextBase64);
  const given = [text, base64].filter((v) => v !== undefined && v !== null);
  if (given.length !== 1) return undefined;
  if (isUnknown(given[0])) return UNKNOWN;
  if (typeof text === "string") return Buffer.from(text, "utf8");
  return typeof base64 === "string" ? decodeBase64(base64) : undefined;
}

/**
 * The digest of one plaintext (a value's, or an entry's), under the salt its stored digest has, else
 * one from the engine's seed; a guessable plaintext adds its warning. The bytes are zeroed after.
 */
async function digestOf(
  bytes: Buffer, stored: unknown, request: PluginRequest, warnings: string[], entry?: string,
): Promise<string> {
  try {
    const warning = guessableWarning(bytes, logicalName(request.urn), entry);
    if (warning) warnings.push(warning);
    return await digestWithSalt(bytes, saltOf(stored) ?? seededSalt(request, entry));
  } finally {
    bytes.fill(0);
  }
}

function inTriggerMode(news: Props): boolean {
  return reveal(news.changeDetection) === "trigger";
}

/**
 * The value's own root, kept as a secret among its inputs: the stored one (`olds`, only as a secret:
 * a root state holds in clear is anyone's, and is replaced, so the stored ciphertext then fails its
 * tag), else one from the engine's seed for this step (crypto/integrity-tag.ts); and the stack key
 * check derives the value's from: the configured one (malformed or weak, as one check refuses,
 * naming the setting), else the root. The root is kept with a configured key too: a password's
 * keepers are digested under it, so that setting, changing or removing the stack key is never
 * taken for a change of keepers (engine/encrypted-random-password-provider.ts).
 */
function stackKeyInput(olds: Props, request: PluginRequest): Props {
  const stored = olds[ROOT_INPUT];
  const root = isSecretWire(stored) && isIntegrityText(reveal(stored)) ? reveal(stored) as string
    : seededIntegrityRoot(request.randomSeed, request.urn);
  const stackKey = request.integrityKey === undefined ? root : normalizedIntegrityKey(request.integrityKey) ?? "";
  return { [STACK_KEY_INPUT]: secret(stackKey), [ROOT_INPUT]: secret(root) };
}

/** The request's own refusal (a stack key in clear refuses every value), before any digest is computed. */
function refusedRequest(news: Props, request: PluginRequest): ProgramInputs | undefined {
  const setting = request.integrityKeyInClear;
  if (setting === undefined) return undefined;
  return { news: { ...news, valueUrn: request.urn }, warnings: [], failures: [keyInClear(setting)] };
}

/**
 * The provider's check of the completed inputs, or the request's refusal: its inputs then without
 * the plaintexts (as a failed check returns them).
 */
export async function checkCompleted(
  check: (olds: Props, news: Props) => Promise<CheckResult>, olds: Props, completed: ProgramInputs,
): Promise<CheckResult> {
  if (completed.failures.length > 0) return { inputs: withoutPlaintexts(completed.news), failures: completed.failures };
  return check(olds, completed.news);
}

/** EncryptedValue's inputs as the TypeScript SDK would have sent them. */
export async function encryptedValueInputs(olds: Props, news: Props, request: PluginRequest): Promise<ProgramInputs> {
  const refused = refusedRequest(news, request);
  if (refused) return refused;
  const warnings: string[] = [];
  const completed: Props = { ...news, valueUrn: request.urn, ...stackKeyInput(olds, request) };
  const bytes = inTriggerMode(news) ? undefined : plaintextBytes(news);
  if (isUnknown(bytes)) completed.plaintextDigest = UNKNOWN;
  else if (bytes !== undefined && bytes.length > 0) {
    completed.plaintextDigest = secret(await digestOf(bytes, reveal(olds.plaintextDigest), request, warnings));
  }
  return { news: completed, warnings, failures: [] };
}

/** EncryptedRandomPassword's inputs as the TypeScript SDK would have sent them: no plaintext, so no digest. */
export async function passwordInputs(olds: Props, news: Props, request: PluginRequest): Promise<ProgramInputs> {
  const completed = { ...news, valueUrn: request.urn, ...stackKeyInput(olds, request) };
  return refusedRequest(news, request) ?? { news: completed, warnings: [], failures: [] };
}

/** EncryptedValues' inputs as the TypeScript SDK would have sent them. */
export async function encryptedValuesInputs(olds: Props, news: Props, request: PluginRequest): Promise<ProgramInputs> {
  const refused = refusedRequest(news, request);
  if (refused) return refused;
  const warnings: string[] = [];
  const completed: Props = { ...news, valueUrn: request.urn, ...stackKeyInput(olds, request) };
  const plaintexts = reveal(news.plaintexts);
  if (inTriggerMode(news)) return { news: completed, warnings, failures: [] };
  if (isUnknown(plaintexts)) return { news: { ...completed, plaintextDigests: UNKNOWN }, warnings, failures: [] };
  if (typeof plaintexts !== "object" || plaintexts === null || Array.isArray(plaintexts)) return { news: completed, warnings, failures: [] };
  const stored = digestMap(olds.plaintextDigests);
  const storedDigests = typeof stored === "object" && stored !== null ? stored as Record<string, unknown> : {};
  const digests: Record<string, string> = {};
  let unknown = false;
  await Promise.all(Object.entries(plaintexts as Props).map(async ([entry, value]) => {
    const text = reveal(value);
    if (isUnknown(text)) unknown = true;
    if (typeof text !== "string" || text.length === 0) return;
    const stored = Object.hasOwn(storedDigests, entry) ? storedDigests[entry] : undefined;
    digests[entry] = await digestOf(Buffer.from(text, "utf8"), stored, request, warnings, entry);
  }));
  completed.plaintextDigests = unknown ? UNKNOWN : secret(JSON.stringify(Object.fromEntries(Object.entries(digests).sort())));
  return { news: completed, warnings: warnings.sort(), failures: [] };
}

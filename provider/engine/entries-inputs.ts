import { isDigest } from "../crypto/plaintext-digest";
import { printable } from "../kms/identifiers";
import {
  type CheckFailure, notTextProblem, parseSharedInputs, plaintextFailure, type SharedInputs, unknownProperties,
} from "./inputs";
import { isUnknown, reveal, UNKNOWN, type Unknown } from "./wire-values";

// EncryptedValues' inputs as the program sends them, validated for shape (no KMS involved): a map
// of named plaintexts under one target. Entry names are the keys of the output maps, so they are not
// secret and may appear in messages; the plaintexts, digests and triggers never do.

export interface ValidEntriesInputs extends SharedInputs {
  /** Each entry's bytes (UNKNOWN for one not computed yet), or UNKNOWN for the whole map. */
  plaintexts: Map<string, Buffer | Unknown> | Unknown;
  /** Trigger mode: each entry's trigger. */
  triggers?: Map<string, string | Unknown> | Unknown;
  /** Digest mode: the SDK's digest of each entry, or UNKNOWN while the stack's digest salt is. */
  offeredDigests?: Map<string, string | Unknown> | Unknown;
}

export const ENTRIES_INPUT_PROPERTIES = [
  "plaintexts",
  "keyId",
  "certificateId",
  "algorithm",
  "keyVersionId",
  "changeDetection",
  "triggers",
  "encryptLocally",
  "envelope",
  "envelopeFormat",
  "encryptionContext",
  "recipients",
  "bindScope",
] as const;

/** Inputs the SDK itself adds. */
const SDK_PROPERTIES = ["__provider", "plaintextDigests", "valueUrn", "stackIntegrityKey", "integrityRoot"];

/**
 * Entry names become keys of the outputs (and of JavaScript objects on the way): letters, digits,
 * `_`, `.` and `-`, starting with a letter or digit, so none is `__proto__` or anything like it.
 */
const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function isEntryName(name: string): boolean {
  return ENTRY_NAME.test(name);
}

/** The property an entry's failure names: `plaintexts.<name>`. */
export function entryProperty(name: string): string {
  return `plaintexts.${name}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type Plaintexts = Map<string, Buffer | Unknown> | Unknown;

function parsePlaintexts(news: Record<string, unknown>, failures: CheckFailure[]): Plaintexts | undefined {
  const value = reveal(news.plaintexts);
  if (isUnknown(value)) return UNKNOWN;
  // Unattributed: for a named property the engine prints the value beside the reason, and these are secrets.
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    failures.push({ property: "", reason: "plaintexts must be a map of one or more entries, name → plaintext (a string)" });
    return undefined;
  }
  const entries = new Map<string, Buffer | Unknown>();
  for (const [name, raw] of Object.entries(value)) {
    if (!isEntryName(name)) {
      failures.push({ property: "", reason: `plaintexts: the entry name ${printable(name)} is not valid; use 1–128 letters, digits, _, . or -, starting with a letter or digit` });
      continue;
    }
    const text = reveal(raw);
    if (isUnknown(text)) entries.set(name, UNKNOWN);
    else if (typeof text !== "string") failures.push(plaintextFailure(entryProperty(name), notTextProblem(text, "must be a string")));
    else if (text.length === 0) failures.push(plaintextFailure(entryProperty(name), "is empty; KMS encrypts 1 byte or more"));
    else entries.set(name, Buffer.from(text, "utf8"));
  }
  return entries;
}

/** A per-entry map the SDK or the program sends beside the plaintexts, with exactly their names. */
function parseEntryMap<T>(
  value: unknown,
  property: string,
  names: readonly string[] | undefined,
  failures: CheckFailure[],
  accept: (v: unknown) => T | undefined,
  problem: string,
): Map<string, T | Unknown> | Unknown | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return UNKNOWN;
  if (!isPlainObject(value)) {
    failures.push({ property: "", reason: `${property} must be a map of entry name → ${problem}` });
    return undefined;
  }
  const entries = new Map<string, T | Unknown>();
  for (const [name, raw] of Object.entries(value)) {
    const v = reveal(raw);
    const accepted = isUnknown(v) ? UNKNOWN : accept(v);
    if (accepted === undefined) failures.push({ property: "", reason: `${property}.${isEntryName(name) ? name : printable(name)} must be ${problem}` });
    else entries.set(name, accepted);
  }
  if (names) {
    const extra = [...entries.keys()].filter((n) => !names.includes(n));
    if (extra.length > 0) failures.push({ property: "", reason: `${property} names entries that plaintexts does not have: ${extra.map(printable).join(", ")}` });
  }
  return entries;
}

/**
 * The digests as the SDK sends them and state keeps them: one secret string, JSON of entry name →
 * digest. One string rather than a map, because the engine and the provider host copy a map entry
 * by entry (several hundred bytes each) at every step. Anything else, unknown aside, comes back as
 * a non-map for parseEntryMap to refuse.
 */
export function digestMap(wire: unknown): unknown {
  const value = reveal(wire);
  if (isUnknown(value) || typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return "not JSON";
  }
}

export function parseEntriesInputs(news: Record<string, unknown>): { inputs?: ValidEntriesInputs; failures: CheckFailure[] } {
  const failures = unknownProperties(news, "EncryptedValues", ENTRIES_INPUT_PROPERTIES, SDK_PROPERTIES);
  const plaintexts = parsePlaintexts(news, failures);
  const { shared, changeDetection } = parseSharedInputs(news, failures, "EncryptedValues");
  const names = plaintexts instanceof Map ? [...plaintexts.keys()] : undefined;

  const triggers = parseEntryMap(reveal(news.triggers), "triggers", names, failures,
    (v) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined), "a string or a number");
  if (changeDetection === "trigger" && names && !isUnknown(triggers)) {
    const missing = names.filter((n) => !triggers?.has(n));
    if (missing.length > 0) {
      failures.push({ property: "triggers", reason: `changeDetection "trigger" needs a trigger for every entry; triggers has none for ${missing.join(", ")}` });
    }
  }
  const offeredDigests = changeDetection === "digest"
    ? parseEntryMap(digestMap(news.plaintextDigests), "plaintextDigests", names, failures, (v) => (isDigest(v) ? v : undefined),
        "a digest this version of pulumi-alicloud-kms-encrypted writes (update the package the program uses)")
    : undefined;

  if (failures.length > 0 || plaintexts === undefined || !shared) return { failures };
  return {
    inputs: {
      ...shared,
      plaintexts,
      ...(triggers !== undefined ? { triggers } : {}),
      ...(offeredDigests !== undefined ? { offeredDigests } : {}),
    },
    failures,
  };
}

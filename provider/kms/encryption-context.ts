import { printable } from "./identifiers";

// The encryption context of a symmetric key's Encrypt: non-secret string pairs KMS binds to the
// ciphertext, which Decrypt needs again. It travels as a JSON object (the EncryptionContext
// parameter), so its shape is checked wherever it comes from: the program, an envelope, the CLI.

export type EncryptionContext = Readonly<Record<string, string>>;

/** KMS's bound for the parameter, in characters of its JSON. */
export const MAX_CONTEXT_JSON = 8192;
const KEY = /^[\x21-\x7e][\x20-\x7e]{0,127}$/;

/** What is wrong with a value offered as an encryption context, or undefined when it is one. */
export function encryptionContextProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "must be a map of string keys to string values";
  const entries = Object.entries(value);
  if (entries.length === 0) return "is empty; leave it out instead";
  for (const [key, v] of entries) {
    if (!KEY.test(key)) return `has the key ${printable(key)}; keys are 1–128 printable ASCII characters`;
    if (typeof v !== "string") return `has a ${typeof v} for ${key}; every value must be a string`;
  }
  if (JSON.stringify(value).length > MAX_CONTEXT_JSON) return `is over ${MAX_CONTEXT_JSON} characters as JSON, KMS's limit`;
  return undefined;
}

export function isEncryptionContext(value: unknown): value is EncryptionContext {
  return encryptionContextProblem(value) === undefined;
}

/** One spelling per context (keys sorted), for comparing contexts and binding one into an AAD. */
export function canonicalContext(context: EncryptionContext): string {
  return JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

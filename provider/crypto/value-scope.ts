import { printable } from "../kms/identifiers";
import type { EncryptionContext } from "../kms/encryption-context";

// A value's scope: the logical name of the resource it belongs to (EncryptedValue's or
// EncryptedValues' name in the program) and, for EncryptedValues, the entry's name. Envelopes bind
// it in their authenticated data (envelope-format.ts, recipients-envelope.ts), so an envelope moved
// to another value or entry still opens, but not for a reader that expects its own scope
// (decrypt()'s expectScope, the CLI's --expect-scope). A bare symmetric ciphertext can bind it as
// encryption context instead (bindScope), under the two keys below, which every Decrypt then needs.

export interface ValueScope {
  /** The resource's logical name. */
  value: string;
  /** The entry's name, for an entry of EncryptedValues. */
  entry?: string;
}

export const SCOPE_VALUE_KEY = "pulumi:value";
export const SCOPE_ENTRY_KEY = "pulumi:entry";

const MAX_NAME = 1024;
const ENTRY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The scope of the value at `valueUrn` (urn:pulumi:stack::project::type::name), and its entry if any. */
export function scopeOfUrn(valueUrn: string, entry?: string): ValueScope {
  const value = valueUrn.split("::").slice(3).join("::");
  return entry === undefined ? { value } : { value, entry };
}

/** What is wrong with a scope from an envelope or a caller, or undefined. */
export function scopeProblem(scope: unknown): string | undefined {
  if (typeof scope !== "object" || scope === null || Array.isArray(scope)) return "must be an object with a value name and, for an entry, its entry name";
  const { value, entry, ...rest } = scope as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `has ${printable(Object.keys(rest)[0])}, which a scope does not have (value, entry)`;
  if (typeof value !== "string" || value === "" || value.length > MAX_NAME) return `value must be a resource's logical name (1–${MAX_NAME} characters)`;
  if (entry !== undefined && (typeof entry !== "string" || !ENTRY.test(entry))) return "entry must be an entry name (letters, digits, _ . -)";
  return undefined;
}

/** The scope's line in an envelope's AAD. */
export function scopeAadLine(scope: ValueScope): string {
  return `scope=${JSON.stringify([scope.value, scope.entry ?? null])}`;
}

/** The scope as an envelope's JSON holds it. */
export function scopeJson(scope: ValueScope): Record<string, string> {
  return scope.entry === undefined ? { value: scope.value } : { value: scope.value, entry: scope.entry };
}

export function sameScope(a: ValueScope | undefined, b: ValueScope): boolean {
  return a !== undefined && a.value === b.value && a.entry === b.entry;
}

/** A scope in words for messages, escaped (an envelope's is its writer's choice). */
export function describeScope(scope: ValueScope): string {
  return scope.entry === undefined ? `value ${printable(scope.value)}` : `entry ${printable(scope.entry)} of ${printable(scope.value)}`;
}

/** The context keys that bind a scope into a bare symmetric ciphertext (bindScope). */
export function scopeContext(scope: ValueScope): EncryptionContext {
  const value = { [SCOPE_VALUE_KEY]: scope.value };
  return scope.entry === undefined ? value : { ...value, [SCOPE_ENTRY_KEY]: scope.entry };
}

/** The scope a context binds (bindScope), or undefined when it binds none. */
export function scopeInContext(context: EncryptionContext | undefined): ValueScope | undefined {
  const value = context?.[SCOPE_VALUE_KEY];
  if (value === undefined) return undefined;
  const entry = context?.[SCOPE_ENTRY_KEY];
  return entry === undefined ? { value } : { value, entry };
}

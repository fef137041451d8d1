// How values look on the dynamic provider's wire (google.protobuf.Struct via the Node host).
// The engine sends unknowns (preview) as a sentinel string and understands a "signature" object
// as a secret in anything the provider returns, even though the host declares acceptSecrets=false.

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface SecretWire {
  [SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

export type Unknown = typeof UNKNOWN;

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** Marks a value secret in what check/create/update/read return: the engine encrypts it in state. */
export function secret<T>(value: T): SecretWire {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export function isSecretWire(value: unknown): value is SecretWire {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The plain value, whether or not it arrives wrapped as a secret. */
export function reveal(value: unknown): unknown {
  return isSecretWire(value) ? value.value : value;
}

/** A string as sent or stored, or undefined. */
export function revealText(value: unknown): string | undefined {
  const r = reveal(value);
  return typeof r === "string" ? r : undefined;
}

/** A stored identifier, "" (not applicable) counting as none. */
export function revealName(value: unknown): string | undefined {
  return revealText(value) || undefined;
}

/** The plain value with every secret inside it unwrapped too (for what a tag covers). */
export function revealDeep(value: unknown): unknown {
  const v = reveal(value);
  if (Array.isArray(v)) return v.map(revealDeep);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealDeep(x)]));
  return v;
}

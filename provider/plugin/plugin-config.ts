import { isSecretWire, isUnknown, reveal, secret } from "../engine/wire-values";
import type { CheckFailure } from "../engine/inputs";
import { printable } from "../kms/identifiers";

// The plugin's package name, type tokens and configuration keys: the contract the schema, the
// generated SDKs and users' stack config rely on.

export const PACKAGE = "alicloud-kms";
export const TOKENS = {
  value: `${PACKAGE}:index:EncryptedValue`,
  values: `${PACKAGE}:index:EncryptedValues`,
  password: `${PACKAGE}:index:EncryptedRandomPassword`,
} as const;

/**
 * Stack config a plugin reads (`alicloud-kms:<key>`). A plugin sees only its own namespace, so the
 * region and credentials the dynamic provider also reads from `alicloud:*` have keys of their own.
 */
export const CONFIG_KEYS = [
  "region", "endpoint", "endpoints", "protocol", "encryptLocally",
  "accessKey", "secretKey", "securityToken", "profile", "integrityKey",
] as const;

/** Credentials state keeps as secrets, however the stack config holds them. */
export const SECRET_CONFIG_KEYS: readonly string[] = ["secretKey", "securityToken"];

/** The stack's integrity key: refused unless the stack config holds it as a secret (integrityKeyInClear). */
export const INTEGRITY_KEY = "integrityKey";

/**
 * What CheckConfig returns (the engine stores it as the provider's inputs): the credentials as
 * secrets. The integrity key is returned as it came: CheckConfig receives every value without its
 * secret marker, and the engine puts back the marker of the stack config's own value before
 * Configure, whose arguments then say whether it was set with --secret (integrityKeyInClear).
 */
export function configForEngine(news: Record<string, unknown>): Record<string, unknown> {
  const guarded = (k: string, v: unknown) => (SECRET_CONFIG_KEYS.includes(k) && !isUnknown(reveal(v)) ? secret(reveal(v)) : v);
  return Object.fromEntries(Object.entries(news).map(([k, v]) => [k, guarded(k, v)]));
}

/**
 * Whether Configure's arguments (`args`: absent from engines that send none) hold the integrity key
 * without the engine's secret marker: set without --secret, it sits in Pulumi.<stack>.yaml.
 */
export function integrityKeyInClear(args: Record<string, unknown> | undefined): boolean {
  const value = args?.[INTEGRITY_KEY];
  return value !== undefined && value !== null && !isSecretWire(value) && !isUnknown(value);
}

/** Config keys the plugin does not read, with the one probably meant ("version" is the engine's own). */
export function configFailures(news: Record<string, unknown>): CheckFailure[] {
  return Object.keys(news).filter((k) => k !== "version" && !(CONFIG_KEYS as readonly string[]).includes(k)).map((k) => {
    const near = CONFIG_KEYS.find((c) => c.toLowerCase() === k.toLowerCase());
    // Unattributed: for a named property the engine prints its value beside the reason, a secret perhaps.
    // The key is the writer's (stack config, or state on refresh): shown as it is only with a key's shape.
    const named = /^[A-Za-z][\w-]{0,63}$/.test(k) ? `${PACKAGE}:${k}` : printable(`${PACKAGE}:${k}`);
    return { property: "", reason: `${named} is not a setting of this provider; ${near ? `did you mean ${PACKAGE}:${near}?` : `it reads ${CONFIG_KEYS.map((c) => `${PACKAGE}:${c}`).join(", ")}`}` };
  });
}

import { integrityTag, isIntegrityText, tagMatches, valueIntegrityKey } from "../crypto/integrity-tag";
import type { CheckFailure } from "./inputs";
import { isUnknown, reveal, secret, UNKNOWN, type SecretWire, type Unknown } from "./wire-values";

// What the provider does with the integrity tags (crypto/integrity-tag.ts), for one value and for a
// map of them alike. Check derives the value's key from the stack's (which the SDK sends as
// `stackIntegrityKey` and which is never returned, so never stored here); create and update tag what
// they store; diff checks the stored tags under the key the program's stack key gives (never under
// one read from state), and re-encrypts what fails; refresh checks them under the stored key and
// reports a failure as staleness. Keys and tags are kept as secrets, inputs and outputs.

type Props = Record<string, unknown>;

/** The one input the SDK adds that no state may keep. */
export const STACK_KEY_INPUT = "stackIntegrityKey";

/** The inputs without the stack's key, for whatever check returns. */
function withoutStackKey(news: Props): Props {
  const { [STACK_KEY_INPUT]: _key, ...rest } = news;
  return rest;
}

/**
 * What a failed check hands back as inputs: without the stack key and without every plaintext-named
 * property, either resource's (a plaintext sent to the other resource's type is a plaintext still).
 */
export function withoutPlaintexts(news: Props): Props {
  const { plaintext: _text, plaintextBase64: _base64, plaintexts: _map, ...rest } = withoutStackKey(news);
  return rest;
}

/**
 * Where a program's stack key comes from, for the failure when it is missing: the TypeScript SDK's
 * IntegrityKey resource (`resource`: the class that sends it), or the resource plugin's config.
 */
export type StackKeySource = { sdkClass: string } | { configKey: string };

/** The failure's reason when the stack's key is missing or malformed. */
function missingStackKey(source: StackKeySource): string {
  if ("sdkClass" in source) {
    return `${STACK_KEY_INPUT} is missing or malformed; create values with the ${source.sdkClass} class of pulumi-alicloud-kms-encrypted`;
  }
  return `${source.configKey} is not set, is not base64 of 32 bytes, or is not random: it is the stack's key for the integrity tags that ` +
    "tie each ciphertext in state to its value. Set it once per stack, as a secret: " +
    `pulumi config set --secret ${source.configKey} "$(openssl rand -base64 32)"`;
}

/** The value's integrity key as check returns it (a secret; UNKNOWN while the stack's is), or a failure. */
export function checkedIntegrityKey(
  news: Props, valueUrn: string, source: StackKeySource,
): { integrityKey: SecretWire | Unknown } | CheckFailure {
  const stackKey = reveal(news[STACK_KEY_INPUT]);
  if (isUnknown(stackKey)) return { integrityKey: UNKNOWN };
  // Unattributed: for a named property the engine would print the value, a secret.
  if (!isIntegrityText(stackKey)) return { property: "", reason: missingStackKey(source) };
  return { integrityKey: secret(valueIntegrityKey(stackKey, valueUrn)) };
}

/** One thing state keeps under a tag: a value ("") or an entry, and the strings tagged. */
export interface Tagged {
  entry: string;
  stored: readonly unknown[];
  tag: unknown;
}

/** The entries whose stored strings fail their tag under `key` (all of them when the key is not one). */
export function failingTags(key: unknown, tagged: readonly Tagged[]): string[] {
  const k = reveal(key);
  const fails = (t: Tagged) => !isIntegrityText(k) || !tagMatches(k, t.entry, t.stored, t.tag);
  return tagged.filter(fails).map((t) => t.entry);
}

const UNTAGGED = "its state has no integrity tag (written before 0.2";

/** Names the failing entries in a sentence ("the stored ciphertext", "… of entry db, entry api"). */
type Naming = (failing: string[]) => string;

/**
 * Diff's reasons: state without tags (`untagged`), or the entries failing their tags under the
 * program's key (`key`: the checked input); `what` names them.
 */
export function integrityReasons(key: unknown, tagged: readonly Tagged[], untagged: boolean, what: Naming): string[] {
  if (untagged) return [`${UNTAGGED}); re-encrypted once to add one`];
  if (isUnknown(reveal(key))) return ["the stack's integrity key is being created (the stored ciphertexts are checked against it at up)"];
  const failing = failingTags(key, tagged);
  if (failing.length === 0) return [];
  return [`${what(failing)} does not match its integrity tag: the state was edited outside Pulumi, the stack's integrity key ` +
    "was replaced, or the value was renamed; re-encrypted from the program's plaintext"];
}

/** Refresh's staleness, checked under the stored key: state without tags, or entries failing them; undefined if none. */
export function integrityStaleness(key: unknown, tagged: readonly Tagged[], untagged: boolean, what: Naming): string | undefined {
  if (untagged) return `${UNTAGGED}, or the tag was removed); the next up re-encrypts it`;
  const failing = failingTags(key, tagged);
  if (failing.length === 0) return undefined;
  return `${what(failing)} does not match its integrity tag (the state was edited outside Pulumi); the next up re-encrypts it`;
}

/** The outputs about integrity: the value's key and the tags, secrets. */
export function integrityOutputs(key: unknown, tags: Record<string, string> | string): Props {
  return { integrityKey: secret(reveal(key)), ...(typeof tags === "string" ? { integrityTag: secret(tags) } : { integrityTags: secret(JSON.stringify(tags)) }) };
}

/** The named outputs refresh read, back as secrets (the host receives secrets unwrapped). */
export function asSecrets(props: Props, names: readonly string[]): Props {
  return Object.fromEntries(names.filter((n) => props[n] !== undefined).map((n) => [n, secret(reveal(props[n]))]));
}

/** The value's key from the checked inputs, for tagging; create and update need one. */
export function keyForTagging(inputs: Props): string | undefined {
  const key = reveal(inputs.integrityKey);
  return isIntegrityText(key) ? key : undefined;
}

export { integrityTag };

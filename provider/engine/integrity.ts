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
export function withoutStackKey(news: Props): Props {
  const { [STACK_KEY_INPUT]: _key, ...rest } = news;
  return rest;
}

/** The value's integrity key as check returns it (a secret; UNKNOWN while the stack's is), or a failure. */
export function checkedIntegrityKey(
  news: Props, valueUrn: string, resource: string,
): { integrityKey: SecretWire | Unknown } | CheckFailure {
  const stackKey = reveal(news[STACK_KEY_INPUT]);
  if (isUnknown(stackKey)) return { integrityKey: UNKNOWN };
  // Unattributed: for a named property the engine would print the value, a secret.
  if (!isIntegrityText(stackKey)) {
    return { property: "", reason: `${STACK_KEY_INPUT} is missing or malformed; create values with the ${resource} class of pulumi-alicloud-kms-encrypted` };
  }
  return { integrityKey: secret(valueIntegrityKey(stackKey, valueUrn)) };
}

/** One thing state keeps under a tag: a value ("") or an entry, and the strings tagged. */
export interface Tagged {
  entry: string;
  stored: readonly unknown[];
  tag: unknown;
}

/** What checking stored tags found: none at all (state from before 0.2), or which entries fail. */
export type TagCheck = { untagged: true } | { untagged: false; failing: string[] };

export function checkTags(key: unknown, tagged: readonly Tagged[], untagged: boolean): TagCheck {
  if (untagged) return { untagged: true };
  const k = reveal(key);
  const fails = (t: Tagged) => !isIntegrityText(k) || !tagMatches(k, t.entry, t.stored, t.tag);
  return { untagged: false, failing: tagged.filter(fails).map((t) => t.entry) };
}

/** Diff's reasons from a tag check under the program's key (`key`: the checked input). */
export function integrityReasons(key: unknown, check: () => TagCheck, what: (failing: string[]) => string): string[] {
  if (isUnknown(reveal(key))) return ["the stack's integrity key is being created (the stored ciphertexts are checked against it at up)"];
  const result = check();
  if (result.untagged) return ["its state has no integrity tag (written before 0.2); re-encrypted once to add one"];
  if (result.failing.length === 0) return [];
  return [`${what(result.failing)} does not match its integrity tag: the state was edited outside Pulumi, the stack's integrity key ` +
    "was replaced, or the value was renamed; re-encrypted from the program's plaintext"];
}

/** Refresh's staleness from a tag check under the stored key, or undefined. */
export function integrityStaleness(check: TagCheck, what: (failing: string[]) => string): string | undefined {
  if (check.untagged) return "its state has no integrity tag (written before 0.2, or the tag was removed); the next up re-encrypts it";
  if (check.failing.length === 0) return undefined;
  return `${what(check.failing)} does not match its integrity tag (the state was edited outside Pulumi); the next up re-encrypts it`;
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

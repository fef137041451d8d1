import { isIntegrityText, outputsTag, tagIs, valueIntegrityKey, valueTag } from "../crypto/integrity-tag";
import { EncryptedValueError } from "./provider-context";
import type { CheckFailure } from "./inputs";
import { isUnknown, reveal, revealDeep, secret, UNKNOWN, type SecretWire, type Unknown } from "./wire-values";

// What the provider does with the integrity tags (crypto/integrity-tag.ts), for one value and for a
// map of them alike. Check derives the value's key from the stack's (which the SDK sends as
// `stackIntegrityKey` and which is never returned, so never stored here); create and update tag what
// they store; diff checks each value tag under the key the program's stack key gives (never under
// one read from state) and the program's mark (digest or trigger), and re-encrypts what fails;
// refresh checks the outputs tag under the stored key and reports a failure as staleness. The value's
// key is a secret; the tags, HMACs under it, are not (earlier versions' state keeps its value tags as secrets).

type Props = Record<string, unknown>;

/** The one input the SDK adds that no state may keep. */
export const STACK_KEY_INPUT = "stackIntegrityKey";

/**
 * The input a value of the resource plugin keeps (a secret, among its inputs only): its own root,
 * from which its key derives when the stack has no integrity key (alicloud-kms:integrityKey), in the
 * stack key's place, and a password's keepers digest always (engine/program-inputs.ts draws it).
 */
export const ROOT_INPUT = "integrityRoot";

/** The inputs without the stack key or a value's root, for a failed check's answer. */
function withoutStackKey(news: Props): Props {
  const { [STACK_KEY_INPUT]: _key, [ROOT_INPUT]: _root, ...rest } = news;
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
  return `${source.configKey} is not base64 of 32 bytes, or is not random: it is the stack's key for the integrity tags that ` +
    "tie each ciphertext in state to its value. Set a new one, as a secret: " +
    `pulumi config set --secret ${source.configKey} "$(openssl rand -base64 32)", or remove it (pulumi config rm ` +
    `${source.configKey}) and each value keeps a key of its own in state, as a secret`;
}

/**
 * The value's integrity key as check returns it (a secret; UNKNOWN while the stack's is), with the
 * value's own root when it has one (ROOT_INPUT), or a failure.
 */
export function checkedIntegrityKey(
  news: Props, valueUrn: string, source: StackKeySource,
): { integrityKey: SecretWire | Unknown; integrityRoot?: SecretWire } | CheckFailure {
  const stackKey = reveal(news[STACK_KEY_INPUT]);
  if (isUnknown(stackKey)) return { integrityKey: UNKNOWN };
  // Unattributed: for a named property the engine would print the value, a secret.
  if (!isIntegrityText(stackKey)) return { property: "", reason: missingStackKey(source) };
  const root = reveal(news[ROOT_INPUT]);
  const integrityKey = secret(valueIntegrityKey(stackKey, valueUrn));
  return { integrityKey, ...(isIntegrityText(root) ? { [ROOT_INPUT]: secret(root) } : {}) };
}

/**
 * Outputs no tag covers: the outputs tag itself, the value's key (tags are checked under the program's),
 * staleReason, and the dynamic provider host's own.
 */
const UNCOVERED = ["outputsTag", "integrityKey", "staleReason", "__provider"];

/**
 * The outputs as a tag covers them (secrets unwrapped), without `also` and what no tag covers; undefined
 * when state holds something no tag can cover (nested past the stack's depth, say): it then fails.
 */
export function coveredOutputs(props: Props, also: readonly string[] = []): Props | undefined {
  try {
    const covered = revealDeep(props) as Props;
    for (const name of [...UNCOVERED, ...also]) delete covered[name];
    return covered;
  } catch {
    return undefined;
  }
}

/** Whether `tag` is the one `make` computes; false when it cannot (what state holds cannot be spelled). */
function matches(make: () => string, tag: unknown): boolean {
  try {
    return tagIs(make(), tag);
  } catch {
    return false;
  }
}

/** What the program says about a value's (or entry's) plaintext now: its digest or its trigger; undefined if not known yet. */
export function markOf(changeDetection: unknown, value: unknown): string | undefined {
  const v = reveal(value);
  const mode = reveal(changeDetection);
  return typeof v === "string" && !isUnknown(v) && (mode === "digest" || mode === "trigger") ? `${mode}:${v}` : undefined;
}

/**
 * One value or entry under its value tag, as diff and update check it. `standing`: its revision is the
 * stored one, so its tag must hold for the program's `mark` (a new revision re-encrypts anyway, and its
 * tag was made for the older plaintext); `covered` what state keeps for it (undefined when it cannot
 * be covered: failing, as does a standing value without a mark).
 */
export interface Tagged {
  entry: string;
  standing: boolean;
  mark: string | undefined;
  covered: unknown;
  tag: unknown;
}

/** The standing entries whose value tags fail under `key` (every one when the key is not one). */
export function failingTags(key: unknown, tagged: readonly Tagged[]): string[] {
  const k = reveal(key);
  const holds = (t: Tagged, mark: string | undefined) => isIntegrityText(k) && t.covered !== undefined && mark !== undefined
    && matches(() => valueTag(k, t.entry, mark, t.covered), t.tag);
  return tagged.filter((t) => t.standing && !holds(t, t.mark)).map((t) => t.entry);
}

/** The value tag of what is about to be stored for a value or entry. */
export function tagFor(key: string, entry: string, mark: string | undefined, covered: unknown): string {
  if (mark === undefined) throw new EncryptedValueError("the plaintext's digest or trigger is missing from the checked inputs; run `pulumi up` again");
  return valueTag(key, entry, mark, covered);
}

/** Whether the outputs tag in `props` (outputs without any derived map) is theirs under `key`. */
function outputsTagMatches(key: unknown, props: Props): boolean {
  const k = reveal(key);
  const covered = coveredOutputs(props);
  return isIntegrityText(k) && covered !== undefined && matches(() => outputsTag(k, covered), reveal(props.outputsTag));
}

/** Whether state's tags are of this version's shape; if not, why (no tags at all, or 0.2's). */
function olderShape(props: Props): string | undefined {
  if (props.outputsTag !== undefined) return undefined;
  return props.integrityTag !== undefined || props.integrityTags !== undefined
    ? "its state has the integrity tags of 0.2, which cover neither its revision nor its other outputs"
    : "its state has no integrity tag (written before 0.2)";
}

/** Names the failing entries in a sentence ("the stored ciphertext", "… of entry db, entry api"). */
type Naming = (failing: string[]) => string;

/**
 * Diff's reasons, under the program's key (`key`: the checked input): state of an older shape, the
 * values (entries) failing their value tags (`what` names them), or else outputs failing the outputs
 * tag (an entry added to a stored map, say, which no entry's tag is about).
 */
export function integrityReasons(key: unknown, olds: Props, tagged: readonly Tagged[], what: Naming): string[] {
  const older = olderShape(olds);
  if (older) return [`${older}; re-encrypted once to add this version's`];
  if (isUnknown(reveal(key))) return ["the stack's integrity key is being created (the stored ciphertexts are checked against it at up)"];
  const failing = failingTags(key, tagged);
  if (failing.length > 0) {
    return [`${what(failing)} does not match its integrity tag: the state was edited or rolled back outside Pulumi, the stack's ` +
      "integrity key was replaced, or the value was renamed; re-encrypted from the program's plaintext"];
  }
  if (outputsTagMatches(key, olds)) return [];
  return ["its outputs do not match their integrity tag (the state was edited outside Pulumi); written again from the program"];
}

/** Whether state's tags are of an older shape (none, or 0.2's): update then encrypts everything again. */
export function hasOlderTags(olds: Props): boolean {
  return olderShape(olds) !== undefined;
}

/**
 * Refresh's staleness, checked under the stored key: state of an older shape, or outputs failing
 * their tag (refresh has no program, so no mark: the value tags wait for up); undefined if neither.
 */
export function integrityStaleness(props: Props): string | undefined {
  const older = olderShape(props);
  if (older) return `${older}; the next up re-encrypts it`;
  if (outputsTagMatches(props.integrityKey, props)) return undefined;
  return "its outputs do not match their integrity tag (the state was edited outside Pulumi); the next up re-encrypts it";
}

/**
 * The outputs about integrity, added to `outputs`: the value's key (a secret), its value tags and the
 * outputs tag. The tags are HMACs under that key, which reveal nothing of what they cover (the mark
 * included) without it: in clear, they cost the engine no encryption each time it writes the state.
 */
export function withIntegrityOutputs(key: string, tags: Record<string, string> | string, outputs: Props): Props {
  const tagged: Props = {
    ...outputs,
    integrityKey: secret(key),
    ...(typeof tags === "string" ? { integrityTag: tags } : { integrityTags: JSON.stringify(tags) }),
  };
  const covered = coveredOutputs(tagged);
  if (covered === undefined) throw new EncryptedValueError("the outputs cannot be tagged; run `pulumi up` again");
  return { ...tagged, outputsTag: outputsTag(key, covered) };
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

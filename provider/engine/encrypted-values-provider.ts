import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { formatAnyEnvelope } from "../crypto/any-envelope";
import { VersionMismatchError } from "../crypto/encrypt-value";
import { encryptForStored, encryptionBlame, inRecipient, resolveRecipients } from "./recipients-check";
import { logInfo } from "./engine-log";
import { digestMap, entryProperty, isEntryName, parseEntriesInputs, type ValidEntriesInputs } from "./entries-inputs";
import type { CheckFailure } from "./inputs";
import { PlaintextHandoff } from "./plaintext-handoff";
import { EncryptedValueError, ProviderContext } from "./provider-context";
import { resolveTarget } from "./resolve-target";
import {
  checkedTargetFields, reencryptionReasons, staleReason, storedMoreRecipients, storedRecipients, storedTarget,
} from "./target-state";
import { isUnknown, reveal, revealText, secret, UNKNOWN, type Unknown } from "./wire-values";
import {
  asSecrets, checkedIntegrityKey, coveredOutputs, failingTags, hasOlderTags, integrityReasons, integrityStaleness,
  keyForTagging, markOf, type StackKeySource, tagFor, type Tagged, withIntegrityOutputs, withoutPlaintexts,
} from "./integrity";
import { coveredDigest } from "../crypto/integrity-tag";
import { scopeBinding } from "./scope-binding";
import { DERIVED_MAP, entryMaps } from "./entry-maps";
import type { TargetOutputs } from "../crypto/envelope-format";
import { scopeOfUrn } from "../crypto/value-scope";
import { canonicalContext, type EncryptionContext } from "../kms/encryption-context";
import { printable } from "../kms/identifiers";

// The dynamic provider behind EncryptedValues: a map of named secrets under one key or certificate,
// in one resource. What EncryptedValue's provider does for one value, per entry:
//   check  → inputs without the plaintexts: the target as resolved, a revision per entry
//            (plaintextRevisions, an output too) and the SDK's digest per entry (one secret JSON
//            string, inputs only)
//   diff   → the target moved (every entry re-encrypts), or entries were added, removed or changed
//   update → encrypts only the entries that are new or whose revision rose; every other entry keeps
//            its ciphertext (its envelope, with envelope encryption) byte for byte. State keeps one
//            string per entry; the SDK derives the other output map from it
//   read   → staleReason for the target, as for one value

type Props = Record<string, unknown>;
type Revisions = Record<string, number>;

/** Entries encrypted at once: above the KMS client's 8 calls per region, so it is never idle. */
const ENCRYPTIONS_IN_FLIGHT = 16;

/**
 * A map keyed by users' entry names, with no prototype: "constructor" or "toString" is an entry
 * like any other, never an Object.prototype member found where no entry is.
 */
function byName<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A map from state or the wire: a copy of its own keys only (byName), or undefined. */
function storedMap(value: unknown): Record<string, unknown> | undefined {
  const v = reveal(value);
  return typeof v === "object" && v !== null && !Array.isArray(v) ? Object.assign(byName<unknown>(), v) : undefined;
}

function storedRevisions(value: unknown): Revisions {
  const revisions = byName<number>();
  for (const [name, r] of Object.entries(storedMap(value) ?? {})) {
    if (isEntryName(name) && typeof r === "number" && Number.isSafeInteger(r) && r >= 0) revisions[name] = r;
  }
  return revisions;
}

/**
 * Each entry's revision: 1 when it appears, one more each time its digest (or trigger) changes.
 * UNKNOWN in a preview that cannot tell for some entry yet.
 */
function plaintextRevisions(olds: Props, inputs: ValidEntriesInputs): Revisions | Unknown {
  const { plaintexts } = inputs;
  if (isUnknown(plaintexts)) return UNKNOWN;
  const marks = inputs.changeDetection === "digest" ? inputs.offeredDigests : inputs.triggers;
  const stored = storedMap(inputs.changeDetection === "digest" ? digestMap(olds.plaintextDigests) : olds.triggers) ?? byName<unknown>();
  const previous = storedRevisions(olds.plaintextRevisions);
  const sameMode = inputs.changeDetection === reveal(olds.changeDetection);
  const revisions = byName<number>();
  for (const name of plaintexts.keys()) {
    const now = isUnknown(marks) ? UNKNOWN : marks?.get(name);
    if (now === undefined || isUnknown(now)) return UNKNOWN;
    const before = previous[name];
    revisions[name] = before === undefined ? 1 : sameMode && reveal(stored[name]) === now ? before : before + 1;
  }
  return revisions;
}

/** The entries' own reasons: added, removed, changed (by revision). */
function entryReasons(olds: Props, news: Props): string[] {
  const now = reveal(news.plaintextRevisions);
  if (isUnknown(now)) return ["the entries changed (known at up)"];
  const was = storedRevisions(olds.plaintextRevisions);
  const is = storedRevisions(now);
  const added = Object.keys(is).filter((n) => was[n] === undefined);
  const removed = Object.keys(was).filter((n) => is[n] === undefined);
  const changed = Object.keys(is).filter((n) => was[n] !== undefined && was[n] !== is[n]);
  const what = reveal(news.changeDetection) === "trigger" ? "trigger" : "plaintext";
  return [
    ...(added.length ? [`entries added: ${added.join(", ")}`] : []),
    ...(changed.length ? [`the ${what} changed for ${changed.map((n) => `${n} (revision ${was[n]} → ${is[n]})`).join(", ")}`] : []),
    ...(removed.length ? [`entries removed: ${removed.join(", ")}`] : []),
  ];
}

/**
 * Which output map state keeps the entries in: envelopes with envelope encryption, else ciphertexts
 * (whose state holds "" for envelopes, or, as 0.2 left it, nothing).
 */
function storedField(props: Props): "envelopes" | "ciphertexts" {
  const envelopes = reveal(props.envelopes);
  return envelopes !== undefined && envelopes !== DERIVED_MAP ? "envelopes" : "ciphertexts";
}

/** The output map state does not keep, beside the one it does. */
const otherField = (field: "envelopes" | "ciphertexts") => (field === "envelopes" ? "ciphertexts" : "envelopes");

/** What the program says about each entry's plaintext now (checked inputs): its digest, or its trigger. */
function marksNow(inputs: Props): (entry: string) => string | undefined {
  const mode = reveal(inputs.changeDetection);
  const marks = storedMap(mode === "trigger" ? inputs.triggers : digestMap(inputs.plaintextDigests)) ?? byName<unknown>();
  return (entry) => markOf(mode, marks[entry]);
}

/**
 * What every entry's value tag covers besides the entry itself: the outputs but the stored map, the
 * revisions and the tags, hashed once (undefined when state holds something no tag can cover).
 */
function sharedCovered(outputs: Props, field: string): string | undefined {
  const shared = coveredOutputs(outputs, [field, "plaintextRevisions", "integrityTags"]);
  try {
    return shared === undefined ? undefined : coveredDigest(shared);
  } catch {
    return undefined;
  }
}

/** What one entry's value tag covers: the shared outputs, which map holds it, its stored string, its revision. */
function entryCovered(shared: string | undefined, field: string, stored: unknown, revision: unknown): unknown {
  return shared === undefined ? undefined : { shared, field, stored, revision };
}

/**
 * Each stored entry under its value tag, checked against the program's mark (`news`: the checked
 * inputs) only while its revision stands: a new one re-encrypts it anyway.
 */
function taggedEntries(olds: Props, news: Props): Tagged[] {
  const field = storedField(olds);
  const tags = storedMap(parseTags(olds.integrityTags)) ?? byName<unknown>();
  const shared = sharedCovered(olds, field);
  const was = storedMap(olds.plaintextRevisions) ?? byName<unknown>();
  const now = reveal(news.plaintextRevisions);
  const is = isUnknown(now) ? byName<number>() : storedRevisions(now);
  const mark = marksNow(news);
  const entries = Object.entries(storedMap(olds[field]) ?? {});
  return entries.map(([entry, stored]) => ({
    entry,
    standing: is[entry] !== undefined && reveal(was[entry]) === is[entry],
    mark: mark(entry),
    covered: entryCovered(shared, field, reveal(stored), reveal(was[entry])),
    tag: tags[entry],
  }));
}

/** The tags as state keeps them: one secret JSON string, entry name → tag. */
function parseTags(value: unknown): unknown {
  const v = reveal(value);
  if (typeof v !== "string") return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/**
 * The failing entries named for the engine's log and staleReason: the names are read from state,
 * so they are shown escaped unless they have an entry name's shape.
 */
const failingEntries = (failing: string[]) =>
  `the stored ciphertext of ${failing.map((n) => `entry ${isEntryName(n) ? n : printable(n)}`).join(", ")}`;

/** One stored envelope, for telling whether the map was envelope-encrypted: state without one holds ciphertexts. */
function anyEnvelope(olds: Props): unknown {
  const envelopes = storedMap(olds.envelopes);
  return envelopes ? Object.values(envelopes)[0] : undefined;
}

export class EncryptedValuesProvider implements dynamic.ResourceProvider {
  private readonly context = new ProviderContext();
  private readonly handoff = new PlaintextHandoff();

  private readonly stackKey: StackKeySource;
  private readonly bothMaps: boolean;

  /**
   * `stackKey`: where the program's stack integrity key comes from (the SDK's, unless a plugin says
   * otherwise). `bothMaps`: return both output maps (engine/entry-maps.ts), for SDKs that cannot
   * derive one from the other.
   */
  constructor(options: { stackKey?: StackKeySource; bothMaps?: boolean } = {}) {
    this.stackKey = options.stackKey ?? { sdkClass: "EncryptedValues" };
    this.bothMaps = options.bothMaps ?? false;
  }

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.context.configure(req);
  }

  async check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
    // Failures still return inputs, never the plaintexts (see EncryptedValueProvider.check).
    const failed = (failures: CheckFailure[]) => ({ inputs: withoutPlaintexts(news), failures: this.context.scrub(failures) });
    const settingsFailures = this.context.settingsFailures();
    const { inputs, failures } = parseEntriesInputs(news);
    if (!inputs || settingsFailures.length > 0) return failed([...settingsFailures, ...failures]);
    const encryptLocally = inputs.encryptLocally ?? this.context.services.settings.encryptLocally;
    const entries = isUnknown(inputs.plaintexts) ? [] : [...inputs.plaintexts];
    try {
      let resolved;
      let recipients;
      try {
        const plaintexts = entries.map(([name, plaintext]) => ({ property: entryProperty(name), plaintext }));
        resolved = await resolveTarget({ ...inputs, encryptLocally, plaintexts }, this.context.services);
        const several = inputs.moreRecipients !== undefined;
        if (!resolved.target) return failed(several ? resolved.failures.map(inRecipient(0)) : resolved.failures);
        const binding = scopeBinding(inputs, resolved.target, true);
        if ("failure" in binding) return failed([binding.failure]);
        // Every other recipient, resolved in its own region like the first (each previews with its DryRun).
        const services = this.context.services;
        const resolution = await resolveRecipients(inputs, resolved.target, { encryptLocally, plaintexts }, services);
        if ("failures" in resolution) return failed(resolution.failures);
        recipients = resolution.recipients;
      } catch (e) {
        return failed([{ property: "", reason: `could not validate against KMS: ${this.context.message(e)}` }]);
      }

      const integrity = checkedIntegrityKey(news, inputs.valueUrn, this.stackKey);
      if ("reason" in integrity) return failed([integrity]);
      const digests = inputs.offeredDigests;
      if (inputs.changeDetection === "digest" && !isUnknown(digests)) {
        const missing = entries.filter(([name, p]) => p instanceof Buffer && digests?.get(name) === undefined)
          .map(([name]) => name);
        if (missing.length > 0) {
          return failed([{ property: "", reason: `plaintextDigests has no digest for ${missing.join(", ")}; create values with the EncryptedValues class of pulumi-alicloud-kms-encrypted` }]);
        }
      }
      const known = new Map(entries.filter((e): e is [string, Buffer] => e[1] instanceof Buffer));
      if (known.size > 0) this.handoff.putEntries(inputs.valueUrn, known);

      const digestWire = digests === undefined ? undefined
        : isUnknown(digests) || [...digests.values()].some(isUnknown) ? UNKNOWN
          : secret(JSON.stringify(Object.fromEntries(digests)));
      const checked: Props = {
        ...checkedTargetFields(inputs, resolved.target, encryptLocally),
        // An input and an output: every recipient as resolved, [] for a map under one key or certificate.
        recipients,
        plaintextRevisions: plaintextRevisions(olds, inputs),
        // Inputs only: the triggers as given, and the digests as a secret (see crypto/plaintext-digest.ts).
        ...(inputs.triggers === undefined ? {}
          : { triggers: isUnknown(inputs.triggers) ? UNKNOWN : Object.fromEntries(inputs.triggers) }),
        ...(digestWire !== undefined ? { plaintextDigests: digestWire } : {}),
        // An input and an output, a secret: the map's own key, from the stack's (engine/integrity.ts).
        ...integrity,
        ...(inputs.bindScope ? { bindScope: true } : {}),
      };
      return { inputs: checked };
    } finally {
      for (const [, plaintext] of entries) if (plaintext instanceof Buffer) plaintext.fill(0);
    }
  }

  async diff(_id: string, stored: Props, news: Props): Promise<dynamic.DiffResult> {
    const olds = this.storedOnly(stored);
    const reasons = [
      ...reencryptionReasons(olds, news, anyEnvelope(olds), () => entryReasons(olds, news)),
      // Under the key the program's stack key gives, never the one state holds.
      ...integrityReasons(news.integrityKey, olds, taggedEntries(olds, news), failingEntries),
    ];
    // No tag covers the derived map: it must be what the (tagged) stored map derives to, or the update
    // puts it back (withDerivedMap), encrypting nothing for it.
    const repair = this.derivedMapProblem(stored, this.withDerivedMap(olds));
    const changes = reasons.length > 0 || repair !== undefined;
    const valueUrn = revealText(news.valueUrn);
    if (valueUrn && !changes) this.handoff.release(valueUrn);
    if (valueUrn && reasons.length > 0) await logInfo(valueUrn, `will be re-encrypted: ${[...reasons, ...repair ? [repair] : []].join("; ")}`);
    else if (valueUrn && repair) await logInfo(valueUrn, `will be updated: ${repair}`);
    return { changes, replaces: [], deleteBeforeReplace: false };
  }

  async create(inputs: Props): Promise<dynamic.CreateResult> {
    return { id: randomUUID(), outs: this.withDerivedMap(await this.encrypt(undefined, inputs)) };
  }

  async update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
    return { outs: this.withDerivedMap(await this.encrypt(this.storedOnly(olds), news)) };
  }

  async read(id: string, stored: Props): Promise<dynamic.ReadResult> {
    this.context.assertSettings();
    const props = this.storedOnly(stored);
    // Under the key state holds: refresh runs no program. (Up checks under the program's.)
    const altered = integrityStaleness(props);
    const refreshed = this.withDerivedMap({ ...props, ...asSecrets(props, ["integrityKey"]) });
    const stale = [await staleReason(props, this.context), altered, this.derivedMapProblem(stored, refreshed)]
      .filter((r) => r !== undefined).join("; ");
    return { id, props: { ...refreshed, staleReason: stale } };
  }

  /**
   * With bothMaps, the outputs plus the map state does not keep, derived from the one it does, and
   * `derivedMap` naming it (so that diff, update and refresh can set it aside: tags cover the stored
   * map only). A map that cannot be derived (hostile state) is left out; the next up re-encrypts.
   */
  private withDerivedMap(outs: Props): Props {
    if (!this.bothMaps) return outs;
    const field = storedField(outs);
    const enveloped = field === "envelopes";
    const derived = otherField(field);
    const stored = storedMap(enveloped ? outs.envelopes : outs.ciphertexts) as Record<string, string> | undefined;
    try {
      const maps = entryMaps(enveloped ? undefined : stored, enveloped ? stored : undefined, outs as unknown as TargetOutputs);
      return { ...outs, [derived]: maps[derived], derivedMap: derived };
    } catch {
      return outs;
    }
  }

  /**
   * With bothMaps, why the derived map `stored` holds is not the one `expected` has (withDerivedMap
   * of the stored map; undefined when they agree, or when the stored map cannot be derived from:
   * that map then fails its tags). Nothing covers the derived map but this comparison: an envelope
   * written there by hand, or two entries swapped, would otherwise flow on to every reader unchanged.
   */
  private derivedMapProblem(stored: Props, expected: Props): string | undefined {
    if (!this.bothMaps) return undefined;
    const derived = expected.derivedMap;
    if (derived !== "ciphertexts" && derived !== "envelopes") return undefined;
    // One spelling per map (keys sorted): state need not keep the entries in the order they were derived.
    const canonical = (map: unknown) => {
      const plain = reveal(map);
      return plain !== null && typeof plain === "object" ? canonicalContext(plain as EncryptionContext) : String(plain);
    };
    if (reveal(stored.derivedMap) === derived && canonical(stored[derived]) === canonical(expected[derived])) return undefined;
    const from = otherField(derived);
    return `its ${derived} output is not what its ${from} give (edited in state); put back from them`;
  }

  /** State as this provider keeps it: without the derived map withDerivedMap added. */
  private storedOnly(props: Props): Props {
    if (!this.bothMaps) return props;
    const derived = reveal(props.derivedMap);
    const { derivedMap: _marker, ...rest } = props;
    if (derived !== "ciphertexts" && derived !== "envelopes") return rest;
    const { [derived]: _derived, ...stored } = rest;
    return stored;
  }

  async delete(): Promise<void> {
    // The ciphertexts live only in state; KMS keeps no per-value resource to remove.
  }

  /**
   * Encrypts every entry that is new or changed (all of them when the target moved, or on create),
   * keeps the others' ciphertexts from `olds`, and returns the outputs.
   */
  private async encrypt(olds: Props | undefined, inputs: Props): Promise<Props> {
    this.context.assertSettings();
    const valueUrn = revealText(inputs.valueUrn);
    const plaintexts = (valueUrn ? this.handoff.takeEntries(valueUrn) : undefined) ?? new Map<string, Buffer>();
    try {
      const revisions = storedRevisions(inputs.plaintextRevisions);
      const key = keyForTagging(inputs);
      if (key === undefined) throw new EncryptedValueError("the values' integrity key is missing from the checked inputs; run `pulumi up` again");
      // Entries whose stored ciphertext fails its tag under the program's key are encrypted again, all of
      // them with tags of an older shape (or none).
      const untagged = olds !== undefined && hasOlderTags(olds);
      const altered = new Set(olds === undefined || untagged ? [] : failingTags(key, taggedEntries(olds, inputs)));
      const targetMoved = olds !== undefined && reencryptionReasons(olds, inputs, anyEnvelope(olds), () => []).length > 0;
      const everything = olds === undefined || untagged || targetMoved;
      const oldRevisions = storedRevisions(olds?.plaintextRevisions);
      const t = storedTarget(inputs);
      const more = storedMoreRecipients(inputs);
      // State keeps each entry once: the ciphertext, or with envelope encryption the envelope (the
      // program derives the other map from it and the target's outputs; with bothMaps, the provider).
      const field = t.envelope ? "envelopes" : "ciphertexts";
      const oldStored = storedMap(olds?.[field]) ?? byName<unknown>();
      const kept = (name: string) => !everything && !altered.has(name) && oldRevisions[name] === revisions[name] && typeof oldStored[name] === "string";
      const toEncrypt = Object.keys(revisions).filter((name) => !kept(name));
      const missing = toEncrypt.filter((name) => !plaintexts.has(name));
      if (missing.length > 0) {
        throw new EncryptedValueError(`the plaintexts of ${missing.join(", ")} are not available to this provider process ` +
          "(check did not run in it); run `pulumi up` again");
      }
      // One entry as state keeps it: its envelope (of one target or of several recipients), or its ciphertext.
      const encryptEntry = async (name: string, plaintext: Buffer) => {
        const c = await encryptForStored(this.context.services, t, more, plaintext, scopeOfUrn(valueUrn!, name));
        return t.envelope ? formatAnyEnvelope(c.envelope) : c.ciphertextBlob;
      };
      const encrypted = new Map<string, string>();
      // A few at a time (KMS's client bounds its own calls too): the first failure fails the update,
      // and the entries not yet sent are then not sent at all.
      const queue = [...toEncrypt];
      const worker = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          const plaintext = plaintexts.get(name)!;
          try {
            encrypted.set(name, await encryptEntry(name, plaintext));
          } catch (e) {
            queue.length = 0;
            const blame = encryptionBlame(e, t, more);
            if (blame.cause instanceof VersionMismatchError) throw new EncryptedValueError(blame.cause.message);
            // A request carries one entry's plaintext, so its failure can carry no other.
            const { cause, property, value, region, kmsInstanceId } = blame;
            const failure = this.context.userError(cause, property, value, region, [plaintext], kmsInstanceId);
            throw new EncryptedValueError(`entry ${name}: ${failure.message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(ENCRYPTIONS_IN_FLIGHT, toEncrypt.length) }, worker));
      const stored = Object.fromEntries(Object.keys(revisions).map((n) => [n, (encrypted.get(n) ?? oldStored[n]) as string]));
      const outputs: Props = {
        ...t.outputs,
        [field]: stored,
        // The other map's marker, tagged as every output is: a map written in its place fails the tags.
        // (With bothMaps, withDerivedMap adds that map, under derivedMapProblem's check.)
        ...(this.bothMaps ? {} : { [otherField(field)]: DERIVED_MAP }),
        plaintextRevisions: revisions,
        recipients: storedRecipients(inputs.recipients),
      };
      const shared = sharedCovered(outputs, field);
      const mark = marksNow(inputs);
      const newTags = Object.fromEntries(Object.entries(stored)
        .map(([n, text]) => [n, tagFor(key, n, mark(n), entryCovered(shared, field, text, revisions[n]))]));
      return withIntegrityOutputs(key, newTags, outputs);
    } finally {
      for (const plaintext of plaintexts.values()) plaintext.fill(0);
    }
  }
}

import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { formatAnyEnvelope } from "../crypto/any-envelope";
import { VersionMismatchError } from "../crypto/encrypt-value";
import { PlaintextHandoff } from "./plaintext-handoff";
import { type CheckFailure, parseInputs, type ValidInputs } from "./inputs";
import { encryptForStored, encryptionBlame, inRecipient, resolveRecipients } from "./recipients-check";
import { logInfo } from "./engine-log";
import { EncryptedValueError, ProviderContext } from "./provider-context";
import { resolveTarget } from "./resolve-target";
import {
  checkedTargetFields, reencryptionReasons, staleReason, storedMoreRecipients, storedRecipients, storedTarget,
} from "./target-state";
import { isUnknown, reveal, revealDeep, revealText, secret, UNKNOWN, type Unknown } from "./wire-values";
import { envelopeOfOutputs } from "./entry-maps";
import {
  asSecrets, checkedIntegrityKey, coveredOutputs, failingTags, integrityReasons, integrityStaleness, keyForTagging, markOf,
  type StackKeySource, tagFor, type Tagged, withIntegrityOutputs, withoutPlaintexts,
} from "./integrity";
import { scopeBinding } from "./scope-binding";
import { scopeOfUrn } from "../crypto/value-scope";

// The dynamic provider behind EncryptedValue. What the engine stores, and what is never in it:
//   check  → inputs WITHOUT the plaintext: the key/certificate as resolved, the plaintext's revision
//            and a secret plaintextDigest (scrypt; the SDK's, computed in the program)
//   diff   → compares those with the outputs, no KMS call, and tells the engine's log why a value
//            will be re-encrypted
//
// In a preview the engine shows a dynamic resource's *checked inputs* as its new outputs (the Node
// host declares no preview support), so every name check returns that is also an output holds
// exactly what that output will be: keyId the key's own ID (the program's alias or ARN is
// keyReference), keyVersionId the version that will be used (a pin is pinnedKeyVersionId), and no
// ciphertextBlob or envelope at all (envelope encryption is envelopeEncryption), so those show as
// unknown until up has made them. A value diff leaves alone is a "same" step, whose outputs are the
// old ones, exactly.
//   create/update → takes the plaintext from the hand-off, encrypts (through KMS, or in process with
//            the public key when encryptLocally; with envelope, a fresh AES-256-GCM data key
//            encrypts the value and only the data key goes to KMS), returns the ciphertext
//   read   → reports a key, version or certificate that can no longer decrypt (staleReason)
//   delete → nothing to undo in KMS; the ciphertext simply leaves the state

type Props = Record<string, unknown>;

/** What the program says about the plaintext now (checked inputs): its digest, or its trigger. */
function markNow(inputs: Props): string | undefined {
  const mode = reveal(inputs.changeDetection);
  return markOf(mode, mode === "trigger" ? inputs.trigger : inputs.plaintextDigest);
}

/**
 * The value under its value tag, every output but the tag: checked against the program's mark only
 * while the revision stands (a new one re-encrypts anyway, and the tag was made for the older plaintext).
 */
function tagged(olds: Props, news: Props): Tagged[] {
  const revision = reveal(olds.plaintextRevision);
  const standing = !isUnknown(reveal(news.plaintextRevision)) && reveal(news.plaintextRevision) === revision;
  return [{ entry: "", standing, mark: markNow(news), covered: coveredOutputs(olds, ["integrityTag"]), tag: reveal(olds.integrityTag) }];
}

const storedCiphertext = () => "the stored ciphertext";

/**
 * 1 when the value is created, one more each time its plaintext (digest mode) or trigger changes:
 * what diff compares, so neither the digest nor the trigger has to be an output. UNKNOWN in a
 * preview that cannot tell yet.
 */
function plaintextRevision(olds: Props, inputs: ValidInputs, digest: string | Unknown | undefined): number | Unknown {
  if (Object.keys(olds).length === 0) return 1;
  const stored = reveal(olds.plaintextRevision);
  const previous = typeof stored === "number" && Number.isSafeInteger(stored) && stored >= 0 ? stored : 0;
  const [now, before] = digest !== undefined ? [digest, reveal(olds.plaintextDigest)] : [inputs.trigger, reveal(olds.trigger)];
  if (isUnknown(now)) return UNKNOWN;
  return now === before && inputs.changeDetection === reveal(olds.changeDetection) ? previous : previous + 1;
}

/** The value's own reason: its plaintext (or trigger) changed, by revision. */
function revisionReasons(olds: Props, news: Props): string[] {
  const stored = reveal(olds.plaintextRevision);
  // State is anyone's to edit: a revision that is not a whole number counts as absent.
  const was = typeof stored === "number" && Number.isSafeInteger(stored) ? stored : undefined;
  const now = reveal(news.plaintextRevision);
  if (!isUnknown(now) && now === was) return [];
  // Outputs from before revisions existed have none: they re-encrypt once to leave their old digest behind.
  if (was === undefined) return ["its state is from an earlier version of this package (re-encrypted once)"];
  const what = reveal(news.changeDetection) === "trigger" ? "trigger" : "plaintext";
  return [`the ${what} changed (revision ${String(was)} → ${isUnknown(now) ? "(known at up)" : String(now)})`];
}

/** The envelope `outputs` give back without one (envelopeOfOutputs), or undefined when they give none. */
function derivedEnvelope(outputs: Props): string | undefined {
  try {
    return envelopeOfOutputs({ ...revealDeep(outputs) as Props, envelope: undefined });
  } catch {
    return undefined;
  }
}

/**
 * The envelope a stored value has: state's, or for a value state keeps without one, the one its
 * ciphertext and target give. Undefined when neither can be read (diff then re-encrypts).
 */
function storedEnvelope(olds: Props): unknown {
  return olds.envelope !== undefined && reveal(olds.envelope) !== "" ? olds.envelope : derivedEnvelope(olds);
}

export class EncryptedValueProvider implements dynamic.ResourceProvider {
  protected readonly context = new ProviderContext();
  protected readonly handoff = new PlaintextHandoff();

  protected readonly stackKey: StackKeySource;

  /** Whether state keeps an envelope that the value's other outputs give back (envelopeOfOutputs), or "". */
  private readonly storesDerivableEnvelope: boolean;

  /**
   * `stackKey`: where the program's stack integrity key comes from (the SDK's, unless a plugin says
   * otherwise). `storesDerivableEnvelope`: return a directly encrypted value's envelope, which its
   * ciphertext and target give back, for SDKs that do not derive it (a generated SDK runs no code of
   * ours); the TypeScript SDK's EncryptedValue derives it, and state keeps it once, as its ciphertext.
   */
  constructor(options: { stackKey?: StackKeySource; storesDerivableEnvelope?: boolean } = {}) {
    this.stackKey = options.stackKey ?? { sdkClass: "EncryptedValue" };
    this.storesDerivableEnvelope = options.storesDerivableEnvelope ?? false;
  }

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.context.configure(req);
  }

  async check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
    // Failures still return inputs: without them the host echoes `news`, plaintext included, back
    // to the engine.
    const failed = (failures: CheckFailure[]) => ({ inputs: withoutPlaintexts(news), failures: this.context.scrub(failures) });
    const settingsFailures = this.context.settingsFailures();
    const { inputs, failures } = parseInputs(news);
    if (!inputs || settingsFailures.length > 0) return failed([...settingsFailures, ...failures]);
    const encryptLocally = inputs.encryptLocally ?? this.context.services.settings.encryptLocally;

    let resolved;
    try {
      const plaintexts = [{ property: inputs.plaintextProperty, plaintext: inputs.plaintext }];
      resolved = await resolveTarget({ ...inputs, encryptLocally, plaintexts }, this.context.services);
    } catch (e) {
      return failed([{ property: "", reason: `could not validate against KMS: ${this.context.message(e)}` }]);
    }
    const several = inputs.moreRecipients !== undefined;
    if (!resolved.target) return failed(several ? resolved.failures.map(inRecipient(0)) : resolved.failures);
    const integrity = checkedIntegrityKey(news, inputs.valueUrn, this.stackKey);
    if ("reason" in integrity) return failed([integrity]);
    const binding = scopeBinding(inputs, resolved.target, false);
    if ("failure" in binding) return failed([binding.failure]);

    // Every other recipient, resolved in its own region like the first (each previews with its DryRun).
    let recipients;
    try {
      const plaintexts = [{ property: inputs.plaintextProperty, plaintext: inputs.plaintext }];
      const resolution = await resolveRecipients(inputs, resolved.target, { encryptLocally, plaintexts }, this.context.services);
      if ("failures" in resolution) return failed(resolution.failures);
      recipients = resolution.recipients;
    } catch (e) {
      return failed([{ property: "", reason: `could not validate against KMS: ${this.context.message(e)}` }]);
    }

    const digestMode = inputs.changeDetection === "digest";
    if (digestMode && inputs.plaintext instanceof Buffer && inputs.offeredDigest === undefined) {
      return failed([{ property: "", reason: "plaintextDigest is missing; create values with the EncryptedValue class of pulumi-alicloud-kms-encrypted" }]);
    }
    if (inputs.plaintext instanceof Buffer) {
      this.handoff.put(inputs.valueUrn, inputs.plaintext);
      inputs.plaintext.fill(0);
    }
    const digest = digestMode ? inputs.offeredDigest ?? UNKNOWN : undefined;
    const checked: Props = {
      ...checkedTargetFields({ ...inputs, encryptionContext: binding.encryptionContext }, resolved.target, encryptLocally),
      // An input and an output: every recipient as resolved, [] for a value of one key or certificate.
      recipients,
      plaintextRevision: plaintextRevision(olds, inputs, digest),
      // Inputs only.
      ...(inputs.trigger !== undefined ? { trigger: inputs.trigger } : {}),
      // A secret, and never an output: see crypto/plaintext-digest.ts.
      ...(digest === undefined ? {} : { plaintextDigest: isUnknown(digest) ? UNKNOWN : secret(digest) }),
      // An input and an output, a secret: the value's own key, from the stack's (engine/integrity.ts).
      ...integrity,
      ...(inputs.bindScope ? { bindScope: true } : {}),
    };
    return { inputs: checked };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const reasons = [
      ...reencryptionReasons(olds, news, storedEnvelope(olds), () => revisionReasons(olds, news)),
      // Under the key the program's stack key gives, never the one state holds.
      ...integrityReasons(news.integrityKey, olds, tagged(olds, news), storedCiphertext),
    ];
    const valueUrn = revealText(news.valueUrn);
    if (valueUrn && reasons.length === 0) this.handoff.release(valueUrn);
    if (valueUrn && reasons.length > 0) await logInfo(valueUrn, `will be re-encrypted: ${reasons.join("; ")}`);
    return { changes: reasons.length > 0, replaces: [], deleteBeforeReplace: false };
  }

  async create(inputs: Props): Promise<dynamic.CreateResult> {
    return { id: randomUUID(), outs: await this.encrypt(inputs) };
  }

  async update(_id: string, _olds: Props, news: Props): Promise<dynamic.UpdateResult> {
    return { outs: await this.encrypt(news) };
  }

  async read(id: string, props: Props): Promise<dynamic.ReadResult> {
    this.context.assertSettings();
    // Under the key state holds: refresh runs no program. (Up checks under the program's.)
    const altered = integrityStaleness(props);
    const stale = [await staleReason(props, this.context), altered].filter((r) => r !== undefined).join("; ");
    // A digest or trigger among the outputs is from before they moved to the inputs only.
    const { plaintextDigest: _digest, trigger: _trigger, ...rest } = props;
    return { id, props: { ...rest, ...asSecrets(props, ["integrityKey"]), staleReason: stale } };
  }

  async delete(): Promise<void> {
    // The ciphertext lives only in state; KMS keeps no per-value resource to remove.
  }

  /** Encrypts with the plaintext check left in the hand-off, and returns the outputs. */
  private async encrypt(inputs: Props): Promise<Props> {
    this.context.assertSettings();
    const valueUrn = revealText(inputs.valueUrn);
    const plaintext = valueUrn ? this.handoff.take(valueUrn) : undefined;
    if (!plaintext) {
      throw new EncryptedValueError("the plaintext is not available to this provider process (check did not run in it); run `pulumi up` again");
    }
    return this.encryptPlaintext(inputs, plaintext);
  }

  /** Outputs a subclass adds to the value's own, before they are tagged (none here). */
  protected ownOutputs(_inputs: Props): Props {
    return {};
  }

  /** Whether the stored value fails its value tag under the program's key and mark (`news`: the checked inputs). */
  protected storedValueFails(olds: Props, news: Props): boolean {
    return failingTags(news.integrityKey, tagged(olds, news).map((t) => ({ ...t, standing: true }))).length > 0;
  }

  /** The outputs of a stored value and its tags: what encrypt returns (`stored`: ciphertextBlob and envelope). */
  protected taggedOutputs(inputs: Props, stored: { ciphertextBlob: string; envelope: string }): Props {
    const key = keyForTagging(inputs);
    if (key === undefined) throw new EncryptedValueError("the value's integrity key is missing from the checked inputs; run `pulumi up` again");
    const outputs: Props = {
      ...storedTarget(inputs).outputs,
      ...this.ownOutputs(inputs),
      recipients: storedRecipients(inputs.recipients),
      plaintextRevision: reveal(inputs.plaintextRevision),
      ...stored,
    };
    // "" (present, so known in a preview of a value that stays; absent, the SDK would resolve it unknown there).
    if (!this.storesDerivableEnvelope && derivedEnvelope(outputs) === stored.envelope) outputs.envelope = "";
    return withIntegrityOutputs(key, tagFor(key, "", markNow(inputs), coveredOutputs(outputs)), outputs);
  }

  /** Encrypts `plaintext` (zeroed after) under the checked inputs' target, and returns the outputs. */
  protected async encryptPlaintext(inputs: Props, plaintext: Buffer): Promise<Props> {
    const valueUrn = revealText(inputs.valueUrn);
    const t = storedTarget(inputs);
    const more = storedMoreRecipients(inputs);
    if (keyForTagging(inputs) === undefined) {
      plaintext.fill(0);
      throw new EncryptedValueError("the value's integrity key is missing from the checked inputs; run `pulumi up` again");
    }
    try {
      const c = await encryptForStored(this.context.services, t, more, plaintext, scopeOfUrn(valueUrn!));
      return this.taggedOutputs(inputs, { ciphertextBlob: c.ciphertextBlob, envelope: formatAnyEnvelope(c.envelope) });
    } catch (e) {
      const blame = encryptionBlame(e, t, more);
      if (blame.cause instanceof VersionMismatchError) throw new EncryptedValueError(blame.cause.message);
      throw this.context.userError(blame.cause, blame.property, blame.value, blame.region, [plaintext], blame.kmsInstanceId);
    } finally {
      plaintext.fill(0);
    }
  }
}

import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { encryptValue, VersionMismatchError } from "../crypto/encrypt-value";
import { MessageOnlyError, ownMessage } from "../message-only-error";
import { formatEnvelope, parseEnvelope } from "../crypto/envelope-format";
import { PlaintextHandoff } from "./plaintext-handoff";
import { type CheckFailure, parseInputs, type ValidInputs } from "./inputs";
import { KmsCallError } from "../kms/kms-call-error";
import { describeKmsError } from "../kms/kms-error-messages";
import { isRegionId, isResourceId, printable } from "../kms/identifiers";
import { isUnknownKeyVersion } from "../kms/kms-service";
import { KmsServices } from "../kms/kms-services";
import type { Algorithm } from "../kms/key-spec-limits";
import { redact } from "../redact";
import { logInfo } from "./engine-log";
import { resolveTarget } from "./resolve-target";
import { credentialValues, resolveSettings, type ConfigSource } from "../kms/settings";
import { isUnknown, reveal, secret, UNKNOWN, type Unknown } from "./wire-values";

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

/** A user-facing failure of create, update or read. */
export class EncryptedValueError extends MessageOnlyError {}

function text(v: unknown): string | undefined {
  const r = reveal(v);
  return typeof r === "string" ? r : undefined;
}

/** A stored identifier, "" (not applicable) counting as none. */
function named(v: unknown): string | undefined {
  return text(v) || undefined;
}

/** Whether a stored envelope (state, so read with care) is envelope encryption; undefined if unreadable. */
function storedAsEnvelopeEncryption(envelope: unknown): boolean | undefined {
  if (typeof envelope !== "string") return false; // state from before every value had an envelope
  try {
    return parseEnvelope(envelope).encryptedDataKey !== undefined;
  } catch {
    return undefined;
  }
}

function withoutPlaintext(news: Props): Props {
  const { plaintext: _text, plaintextBase64: _base64, ...rest } = news;
  return rest;
}

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

/**
 * Why the value must be re-encrypted, comparing the old outputs with the checked inputs, in words
 * fit for the engine's log (IDs, versions, revisions: never a secret). Empty: nothing to do.
 */
function reencryptionReasons(olds: Props, news: Props): string[] {
  const was = (name: string) => reveal(olds[name]);
  const now = (name: string) => reveal(news[name]);
  const moved = (name: string) => isUnknown(now(name)) || now(name) !== was(name);
  const change = (name: string) => (isUnknown(now(name)) ? `${String(was(name))} → (known at up)` : `${String(was(name))} → ${String(now(name))}`);
  const reasons: string[] = [];
  if (named(now("certificateId")) !== undefined) {
    if (moved("certificateId") || named(was("keyId")) !== undefined) reasons.push(`the certificate changed (${change("certificateId")})`);
  } else if (moved("keyId")) reasons.push(`the key changed (${change("keyId")})`);
  else if (moved("keyVersionId")) reasons.push(`the key version changed (${change("keyVersionId")})`);
  if (moved("algorithm")) reasons.push(`the algorithm changed (${change("algorithm")})`);
  if (moved("changeDetection")) reasons.push(`change detection changed (${change("changeDetection")})`);
  else if (moved("plaintextRevision")) {
    // Outputs from before revisions existed have none: they re-encrypt once to leave their old digest behind.
    reasons.push(was("plaintextRevision") === undefined ? "its state is from an earlier version of this package (re-encrypted once)"
      : `the ${now("changeDetection") === "trigger" ? "trigger" : "plaintext"} changed (revision ${change("plaintextRevision")})`);
  }
  // The input is envelopeEncryption: true; the output `envelope` is the envelope string, of either kind.
  const before = storedAsEnvelopeEncryption(was("envelope"));
  if (before === undefined) reasons.push("the stored envelope cannot be read");
  else if ((now("envelopeEncryption") === true) !== before) {
    reasons.push(`envelope encryption switched ${now("envelopeEncryption") === true ? "on" : "off"}`);
  }
  const stale = named(olds.staleReason);
  if (stale) reasons.push(`the stored ciphertext is stale (${stale})`);
  return reasons;
}

export class EncryptedValueProvider implements dynamic.ResourceProvider {
  private services = new KmsServices(resolveSettings(() => undefined));
  private readonly handoff = new PlaintextHandoff();
  /** Credentials no message may contain (encrypt adds the plaintext it works on). */
  private sensitive: (string | Buffer)[] = [];

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    const config: ConfigSource = (key) => {
      const v = req.config.get(key);
      return typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);
    };
    this.services = new KmsServices(resolveSettings(config));
    this.sensitive = credentialValues(this.services.settings);
  }

  async check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
    // Failures still return inputs: without them the host echoes `news`, plaintext included, back
    // to the engine.
    const failed = (failures: CheckFailure[]) => ({ inputs: withoutPlaintext(news), failures: this.scrub(failures) });
    const settingsFailures = this.services.settings.problems.map((p) => ({ property: "", reason: `${p.setting}: ${p.reason}` }));
    const { inputs, failures } = parseInputs(news);
    if (!inputs || settingsFailures.length > 0) return failed([...settingsFailures, ...failures]);
    inputs.encryptLocally ??= this.services.settings.encryptLocally;

    let resolved;
    try {
      resolved = await resolveTarget(inputs, this.services);
    } catch (e) {
      return failed([{ property: "", reason: `could not validate against KMS: ${this.message(e)}` }]);
    }
    if (!resolved.target) return failed(resolved.failures);
    const target = resolved.target;

    const digestMode = inputs.changeDetection === "digest";
    if (digestMode && inputs.plaintext instanceof Buffer && inputs.offeredDigest === undefined) {
      return failed([{ property: "", reason: "plaintextDigest is missing; create values with the EncryptedValue class of pulumi-alicloud-kms-encrypted" }]);
    }
    if (inputs.plaintext instanceof Buffer) {
      this.handoff.put(inputs.valueUrn, inputs.plaintext);
      inputs.plaintext.fill(0);
    }
    const digest = digestMode ? inputs.offeredDigest ?? UNKNOWN : undefined;

    const t = inputs.target;
    const checked: Props = {
      // Names shared with outputs: their future values exactly (see the top of this file).
      ...(t.kind === "key"
        ? { keyId: target.id, keyVersionId: target.keyVersionId ?? UNKNOWN, kmsInstanceId: target.kmsInstanceId ?? "", certificateId: "" }
        : { certificateId: target.id, keyId: "", keyVersionId: "", kmsInstanceId: "" }),
      algorithm: target.algorithm,
      keySpec: target.keySpec,
      region: target.region,
      changeDetection: inputs.changeDetection,
      plaintextRevision: plaintextRevision(olds, inputs, digest),
      // Inputs only.
      ...(t.kind === "key" ? { keyReference: t.keyId, ...(t.keyVersionId !== undefined ? { pinnedKeyVersionId: t.keyVersionId } : {}) } : {}),
      ...(inputs.trigger !== undefined ? { trigger: inputs.trigger } : {}),
      // Not compared by diff: both ways give the same kind of ciphertext.
      encryptLocally: inputs.encryptLocally,
      ...(inputs.envelope ? { envelopeEncryption: true } : {}),
      // A secret, and never an output: see crypto/plaintext-digest.ts.
      ...(digest === undefined ? {} : { plaintextDigest: isUnknown(digest) ? UNKNOWN : secret(digest) }),
      valueUrn: inputs.valueUrn,
    };
    return { inputs: checked };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const reasons = reencryptionReasons(olds, news);
    const valueUrn = text(news.valueUrn);
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
    const staleReason = await this.staleReason(props);
    // A digest or trigger among the outputs is from before they moved to the inputs only.
    const { plaintextDigest: _digest, trigger: _trigger, ...rest } = props;
    return { id, props: { ...rest, staleReason: staleReason ?? "" } };
  }

  async delete(): Promise<void> {
    // The ciphertext lives only in state; KMS keeps no per-value resource to remove.
  }

  /** Encrypts with the plaintext check left in the hand-off, and returns the outputs. */
  private async encrypt(inputs: Props): Promise<Props> {
    const valueUrn = text(inputs.valueUrn);
    const plaintext = valueUrn ? this.handoff.take(valueUrn) : undefined;
    if (!plaintext) {
      throw new EncryptedValueError("the plaintext is not available to this provider process (check did not run in it); run `pulumi up` again");
    }
    const region = text(inputs.region) as string;
    const algorithm = text(inputs.algorithm) as Algorithm;
    const kms = this.services.in(region, reveal(inputs.encryptLocally) === true);
    const certificateId = named(inputs.certificateId);
    const keyId = named(inputs.keyId);
    const keyVersionId = named(inputs.keyVersionId);
    const kmsInstanceId = text(inputs.kmsInstanceId) || undefined;
    const envelope = reveal(inputs.envelopeEncryption) === true;
    try {
      const target = certificateId ? { certificateId } : { keyId: keyId as string, keyVersionId: keyVersionId as string };
      const c = await encryptValue(kms, { target, algorithm, region }, plaintext, envelope);
      const mode = text(inputs.changeDetection) ?? "digest";
      // Every output, every time ("" where it does not apply): in a preview, an output missing from
      // a resource that stays the same would show as unknown instead of as it is.
      return {
        keyId: keyId ?? "",
        keyVersionId: keyVersionId ?? "",
        kmsInstanceId: kmsInstanceId ?? "",
        certificateId: certificateId ?? "",
        ...target,
        ciphertextBlob: c.ciphertextBlob,
        envelope: formatEnvelope(c.envelope),
        staleReason: "",
        algorithm,
        keySpec: text(inputs.keySpec),
        region,
        changeDetection: mode,
        plaintextRevision: reveal(inputs.plaintextRevision),
      };
    } catch (e) {
      if (e instanceof VersionMismatchError) throw new EncryptedValueError(e.message);
      const property = certificateId ? "certificateId" : "keyId";
      throw this.userError(e, property, certificateId ?? text(inputs.keyReference) ?? keyId ?? "", region, [plaintext], kmsInstanceId);
    } finally {
      plaintext.fill(0);
    }
  }

  /** Why the stored ciphertext can no longer be decrypted, or undefined when it still can. */
  private async staleReason(props: Props): Promise<string | undefined> {
    const region = named(props.region) ?? this.services.regionFor(named(props.keyId));
    if (!region) return undefined;
    const certificateId = named(props.certificateId);
    const keyId = named(props.keyId);
    const keyVersionId = named(props.keyVersionId);
    // State is read back from a file anyone with write access to the backend could have edited:
    // nothing from it reaches a host name or a request before its shape is checked.
    const tampered = [["region", region, isRegionId], ["certificateId", certificateId, isResourceId], ["keyId", keyId, isResourceId],
      ["keyVersionId", keyVersionId, isResourceId]] as const;
    for (const [name, value, valid] of tampered) {
      if (value !== undefined && !valid(value)) {
        throw new EncryptedValueError(`the stored ${name} ${printable(value)} is not a valid ${name}; the state was altered. Nothing was sent to KMS; ` +
          "restore the state, or remove this resource from it (pulumi state delete) and run pulumi up");
      }
    }
    const kms = this.services.directIn(region);
    try {
      if (certificateId) {
        const cert = await kms.describeCertificate(certificateId);
        return cert.status === "ACTIVE" ? undefined : `certificate ${certificateId} is ${cert.status}; the next up re-encrypts once certificateId names an ACTIVE one`;
      }
      if (!keyId) return undefined;
      const key = await kms.describeKey(keyId);
      if (key.keyState !== "Enabled") return `key ${keyId} is ${key.keyState}; it cannot decrypt this ciphertext`;
      if (keyVersionId) await kms.describeKeyVersion(keyId, keyVersionId);
      return undefined;
    } catch (e) {
      if (e instanceof KmsCallError && (["Forbidden.KeyNotFound", "Certificate.NotFound"].includes(e.code) || isUnknownKeyVersion(e.code))) {
        return `${certificateId ? `certificate ${certificateId}` : `key ${keyId}${isUnknownKeyVersion(e.code) ? ` version ${keyVersionId}` : ""}`} no longer exists (${e.code}); the next up re-encrypts`;
      }
      throw this.userError(e, certificateId ? "certificateId" : "keyId", certificateId ?? keyId ?? "", region);
    }
  }

  /** A failed create, update or read as the user reads it, scrubbed of credentials and `extra`. */
  private userError(
    e: unknown,
    property: string,
    value: string,
    region: string,
    extra: Buffer[] = [],
    kmsInstanceId?: string,
  ): EncryptedValueError {
    const message = e instanceof KmsCallError
      ? describeKmsError(e, this.services.errorContext(property, value, region, kmsInstanceId))
      : ownMessage(e);
    return new EncryptedValueError(this.scrubText(message, extra));
  }

  private message(e: unknown): string {
    return this.scrubText(ownMessage(e));
  }

  private scrubText(message: string, extra: Buffer[] = []): string {
    return redact(message, [...this.sensitive, ...extra]);
  }

  private scrub(failures: CheckFailure[]): CheckFailure[] {
    return failures.map((f) => ({ property: f.property, reason: this.scrubText(f.reason) }));
  }
}

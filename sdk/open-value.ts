import {
  credentialValues, DataKeyRefusedError, decryptEnvelope, describeKmsError, encryptionContextProblem, type Envelope,
  ENVELOPE_VERSION, EnvelopeFormatError, EnvelopeIntegrityError, isAlgorithm, KeyMismatchError,
  isRegionId, isResourceId, KmsCallError, KmsServices, MessageOnlyError, ownMessage, parseKeyReference, printable,
  redact, regionOfKeyReference, resolveSettings, type SettingNames, STRICT_BASE64,
  type AnyEnvelope, decryptRecipients, hasRecipients, NoRecipientOpenedError, readEnvelope, type Recipient, type RecipientFailure,
  type MultiRecipientEnvelope, isPlaintextEncoding, PlaintextEncodingError,
  describeScope, sameScope, scopeInContext, scopeProblem,
} from "../provider/toolkit";
import type { EncryptionAlgorithm, PlaintextEncoding } from "./encryption-algorithm";

// Opening what EncryptedValue or the CLI's encrypt produced, for decrypt() (an application) and the
// CLI's decrypt (an operator): the same checks and calls, with messages naming the settings of
// whoever reads them. It loads no @pulumi/pulumi, only the KMS client, and finds region, endpoint
// and credentials the way the provider does from the environment (ALIBABA_CLOUD_KMS_ENDPOINT,
// ALIBABA_CLOUD_REGION_ID / ALIBABA_CLOUD_REGION, the access key variables, then the
// @alicloud/credentials default chain).

/** An envelope: EncryptedValue's `envelope` output, or what the CLI's `encrypt` wrote. */
export interface EnvelopeInput {
  /** The envelope string (base64 of JSON; see "Envelope format" in docs/security.md). */
  envelope: string;
}

/** A bare ciphertext made under a key: EncryptedValue's `ciphertextBlob` with its outputs. */
export interface KeyCiphertext {
  /** The ciphertext, base64 (`ciphertextBlob` output). */
  ciphertextBlob: string;
  /** The key's ID or ARN (`keyId` output). */
  keyId: string;
  /** The version it was encrypted with (`keyVersionId` output); a symmetric key's Decrypt needs none. */
  keyVersionId?: string;
  /** The algorithm it was encrypted with (`algorithm` output). */
  algorithm: EncryptionAlgorithm;
  /** The key's region (`region` output); default: the ARN's, else the configured region. */
  region?: string;
  /** A symmetric key's encryption context (`encryptionContext` output): Decrypt refuses any other. */
  encryptionContext?: Record<string, string>;
  /**
   * A symmetric key's: what Decrypt's `Plaintext` holds. `"text"` (the default) returns it as its
   * UTF-8 bytes, as every KMS client reads it: ciphertexts of this package from 0.2 on (the
   * `plaintextEncoding` output), of `alicloud.kms.Ciphertext`, the `aliyun` CLI or any SDK.
   * `"base64"` decodes it, for ciphertexts written by 0.1 or by clients that encrypt base64, and
   * refuses (`PlaintextEncoding`) text that is not strict base64. The asymmetric operations always
   * carry base64, which decrypt() decodes whatever this says.
   */
  plaintextEncoding?: PlaintextEncoding;
}

/** A bare ciphertext made with a certificate's public key. */
export interface CertificateCiphertext {
  /** The ciphertext, base64 (`ciphertextBlob` output). */
  ciphertextBlob: string;
  /** The certificate's ID (`certificateId` output). */
  certificateId: string;
  /** The algorithm it was encrypted with (`algorithm` output). */
  algorithm: EncryptionAlgorithm;
  /** The certificate's region (`region` output); default: the configured region. */
  region?: string;
}

/** What to decrypt: an envelope (as a string or wrapped), or a bare ciphertext with what KMS needs to open it. */
export type DecryptInput = string | EnvelopeInput | KeyCiphertext | CertificateCiphertext;

/** The value (and entry) an input must have been written for: decrypt()'s `expectScope`. */
export interface ExpectedScope {
  /** The EncryptedValue's (or EncryptedValues') resource name in the program. */
  value: string;
  /** The entry's name, for an entry of EncryptedValues. */
  entry?: string;
}

/** Where decrypt() sends its calls, beyond what the environment says. */
export interface DecryptOptions {
  /** The region for a bare ciphertext; an envelope's own region (or a key ARN's) wins. */
  region?: string;
  /** The KMS endpoint, e.g. `https://kst-xxx.cryptoservice.kms.aliyuncs.com`; default ALIBABA_CLOUD_KMS_ENDPOINT. */
  endpoint?: string;
  /** The environment to read settings and credentials from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * The only regions the input may name. Whoever can write an envelope chooses its region (and with
   * it which region's KMS is asked); with this set, any other region is refused before a call is made.
   */
  allowedRegions?: string[];
  /**
   * An envelope of several recipients: called with the recipient that opened it (the application's
   * own region's are tried first) and the reason each one tried before it failed.
   */
  onOpened?: (opened: OpenedBy) => void;
  /**
   * The only keys and certificates the input may name: key IDs, key ARNs (which pin the region
   * too) or certificate IDs. Any other is refused before a call is made.
   */
  allowedKeys?: string[];
  /**
   * The value (and entry) the input must have been written for: `{ value: "<resource name>" }` for
   * an EncryptedValue, `{ value: "<resource name>", entry: "<entry name>" }` for an entry of
   * EncryptedValues. Values with envelope encryption (`envelope: true`, several recipients) bind
   * their scope in their authenticated data; a symmetric key's direct value binds it only with
   * `bindScope` (through its encryption context, which must then be given). Anything else is
   * refused (`ScopeMismatch`): a value moved to another name in state, an envelope from before
   * 0.2, an Encryption SDK message, an asymmetric key's direct value (pin its key with
   * `allowedKeys` instead).
   */
  expectScope?: ExpectedScope;
}

/** Why a value could not be decrypted, in one sentence; never carries a plaintext or credential. */
export class DecryptError extends MessageOnlyError {
  /**
   * @param code KMS's error code (e.g. `InvalidCiphertext`), `EnvelopeFormat` for a malformed
   * envelope or bare ciphertext, `EnvelopeIntegrity` when its AES-GCM tag does not verify,
   * `NotAllowed` when it names a region or key outside `allowedRegions` / `allowedKeys`,
   * `DataKeyRefused` when a direct value or bare ciphertext opens to an envelope's data key,
   * `KeyMismatch` when KMS opened a symmetric ciphertext under another key than the one it names,
   * `PlaintextEncoding` when base64 was asked for and KMS's plaintext is not base64,
   * `ScopeMismatch` when the input was not written for `expectScope`'s value or entry,
   * `NoRecipient` when no recipient of several opened it, `Settings` when the region, endpoint or
   * credentials are missing or malformed, `Unexpected` for anything else (the message says what).
   */
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

// An envelope carries its region; a bare ciphertext has it beside it, as EncryptedValue's region output.
function noRegion(names: SettingNames): DecryptError {
  return new DecryptError(`region: a bare ciphertext names no region; set ${names.region} to the value's region output, ` +
    "or decrypt its envelope output, which carries it", "Settings");
}

function envelopeOf(input: DecryptInput, region: string | undefined, names: SettingNames): AnyEnvelope {
  if (typeof input === "string") return readEnvelope(input);
  if ("envelope" in input) return readEnvelope(input.envelope);
  // A bare ciphertext: every field is checked for its shape, as an envelope's header is.
  if (typeof input.ciphertextBlob !== "string" || input.ciphertextBlob === "" || !STRICT_BASE64.test(input.ciphertextBlob)) {
    throw new DecryptError("ciphertextBlob: must be a non-empty base64 string (EncryptedValue's ciphertextBlob output)", "EnvelopeFormat");
  }
  if (!isAlgorithm(input.algorithm)) {
    throw new DecryptError(`algorithm: ${printable(input.algorithm)} is not RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, SM2PKE or SYMMETRIC_DEFAULT`, "EnvelopeFormat");
  }
  if (input.region !== undefined && !isRegionId(input.region)) {
    throw new DecryptError(`region: ${printable(input.region)} is not a region ID (like cn-hangzhou)`, "EnvelopeFormat");
  }
  const { algorithm, ciphertextBlob } = input;
  if ("certificateId" in input) {
    if (!isResourceId(input.certificateId)) throw new DecryptError(`certificateId: ${printable(input.certificateId)} is not a certificate ID`, "EnvelopeFormat");
    const where = input.region ?? region;
    if (!where) throw noRegion(names);
    return { certificateId: input.certificateId, version: ENVELOPE_VERSION, algorithm, region: where, ciphertextBlob };
  }
  const reference = typeof input.keyId === "string" ? parseKeyReference(input.keyId) : "is not a string";
  if (typeof reference === "string") throw new DecryptError(`keyId: ${printable(input.keyId)} ${reference}`, "EnvelopeFormat");
  const symmetric = algorithm === "SYMMETRIC_DEFAULT";
  if (symmetric && reference.kind === "alias") {
    // Decrypt takes no key: decrypt() checks the key KMS reports against this one, which needs its ID.
    throw new DecryptError(`keyId: ${printable(input.keyId)} is an alias; a symmetric ciphertext is checked against the key ` +
      "KMS opens it with, so give the key's ID or ARN (the value's keyId output)", "EnvelopeFormat");
  }
  if (!input.keyVersionId && !symmetric) {
    throw new DecryptError("keyVersionId: AsymmetricDecrypt needs the version the value was encrypted with (EncryptedValue's keyVersionId output)",
      "EnvelopeFormat");
  }
  if (input.keyVersionId && !isResourceId(input.keyVersionId)) {
    throw new DecryptError(`keyVersionId: ${printable(input.keyVersionId)} is not a key version ID`, "EnvelopeFormat");
  }
  const context = input.encryptionContext;
  if (context !== undefined) {
    const problem = encryptionContextProblem(context);
    if (problem) throw new DecryptError(`encryptionContext ${problem}`, "EnvelopeFormat");
    if (!symmetric) throw new DecryptError("encryptionContext: only a symmetric key (SYMMETRIC_DEFAULT) takes one; remove it", "EnvelopeFormat");
  }
  const encoding = input.plaintextEncoding;
  if (encoding !== undefined && !isPlaintextEncoding(encoding)) {
    throw new DecryptError(`plaintextEncoding: ${printable(encoding)} is not "text" or "base64"`, "EnvelopeFormat");
  }
  const where = input.region ?? regionOfKeyReference(input.keyId) ?? region;
  if (!where) throw noRegion(names);
  // A symmetric ciphertext names its own version; "-" stands in the header, which needs one.
  const keyVersionId = input.keyVersionId || "-";
  return {
    keyId: input.keyId, keyVersionId, ...(context ? { encryptionContext: context } : {}),
    version: ENVELOPE_VERSION, algorithm, region: where, ciphertextBlob,
    // A bare symmetric ciphertext may come from any client: its text, unless told otherwise.
    ...(symmetric ? { plaintextEncoding: encoding ?? "text" } : {}),
  };
}

/**
 * Refuses, before any KMS call, an input that does not claim the expected scope. The claim is then
 * proven by opening it: an envelope's AES-GCM tag covers its scope, and KMS checks a bare
 * symmetric ciphertext's context, so a forged claim fails there.
 */
function checkScope(e: AnyEnvelope, expected: ExpectedScope): void {
  const problem = scopeProblem(expected);
  if (problem) throw new DecryptError(`expectScope ${problem}`, "ScopeMismatch");
  const refuse = (why: string) => new DecryptError(`expectScope ${describeScope(expected)}: ${why}`, "ScopeMismatch");
  if (!("version" in e)) throw refuse("an Encryption SDK message binds no scope; it cannot be checked");
  // An envelope binds its scope in its AAD; a direct value only through a symmetric key's context.
  const enveloped = e.version === 3 || e.encryptedDataKey !== undefined;
  if (!enveloped && e.algorithm !== "SYMMETRIC_DEFAULT") {
    throw refuse("a value an asymmetric key or a certificate encrypted directly binds no scope (only envelopes, envelope: true, do)");
  }
  const claimed = enveloped ? e.scope : scopeInContext(e.encryptionContext);
  if (claimed === undefined) {
    throw refuse(enveloped
      ? "this envelope binds no scope (written before 0.2)"
      : "this symmetric ciphertext binds no scope (it was encrypted without bindScope, or its encryptionContext was not given)");
  }
  if (!sameScope(claimed, expected)) throw refuse(`it was written for ${describeScope(claimed)}`);
}

/** Who encrypted it: a key or a certificate, in a region (an envelope, or one of its recipients). */
type Holder = Pick<Envelope, "region" | "keyId" | "certificateId">;

/** Refuses, before any KMS call, an input naming a region or key the application did not allow. */
function checkAllowed(e: Holder, options: DecryptOptions): void {
  const { allowedRegions, allowedKeys } = options;
  for (const r of allowedRegions ?? []) {
    if (!isRegionId(r)) throw new DecryptError(`allowedRegions: ${printable(r)} is not a region ID (like cn-hangzhou)`, "NotAllowed");
  }
  if (allowedRegions && !allowedRegions.includes(e.region)) {
    throw new DecryptError(`region '${e.region}' is not one of allowedRegions (${allowedRegions.join(", ")}); nothing was sent to KMS`, "NotAllowed");
  }
  if (!allowedKeys) return;
  const named = e.certificateId ?? e.keyId;
  const allowed = allowedKeys.some((k) => {
    const reference = parseKeyReference(k);
    if (typeof reference === "string") throw new DecryptError(`allowedKeys: ${printable(k)} is not a key ID, key ARN or certificate ID`, "NotAllowed");
    return k === named || (reference.kind === "arn" && reference.keyId === named && reference.region === e.region);
  });
  if (!allowed) {
    throw new DecryptError(`${e.certificateId !== undefined ? "certificate" : "key"} '${named}' is not one of allowedKeys; nothing was sent to KMS`, "NotAllowed");
  }
}

// Decrypt-specific readings of KMS codes whose general hints speak of encryption.
const symmetricHints: Record<string, string> = {
  InvalidCiphertext: "KMS cannot open it: the encryption context differs from the one it was encrypted with " +
    "(pass the value's encryptionContext output), or the ciphertext was altered",
};
/** The decrypt-specific hint for a KMS code, by the kind of key that answered. */
function hintFor(algorithm: string, code: string): string | undefined {
  return (algorithm === "SYMMETRIC_DEFAULT" ? symmetricHints[code] : undefined) ?? decryptHints[code];
}

const decryptHints: Record<string, string> = {
  InvalidCiphertext: "KMS cannot open it with this key version and algorithm: it was encrypted under another key or version, or altered",
  "Forbidden.KeyVersionNotFound": "the key has no such version; the ciphertext names a version that does not exist (altered, or another key's)",
  "Forbidden.ResourceNotFound": "the key has no such version; the ciphertext names a version that does not exist (altered, or another key's)",
};

/** decrypt() and the CLI's decrypt: `names` say how the reader sets region, endpoint and credentials. */
export async function openValue(input: DecryptInput, options: DecryptOptions, names: SettingNames): Promise<Buffer> {
  const config = (key: string) => (key === "alicloud-kms:region" ? options.region : key === "alicloud-kms:endpoint" ? options.endpoint : undefined);
  const settings = resolveSettings(config, options.env ?? process.env);
  const sensitive = credentialValues(settings);
  const services = new KmsServices(settings, names);
  const problem = services.settingsProblem();
  if (problem) throw new DecryptError(problem, "Settings");
  let envelope: AnyEnvelope;
  try {
    envelope = envelopeOf(input, settings.region, names);
  } catch (e) {
    if (e instanceof DecryptError) throw e;
    if (e instanceof EnvelopeFormatError) throw new DecryptError(e.message, "EnvelopeFormat");
    if (e instanceof EnvelopeIntegrityError) throw new DecryptError(e.message, "EnvelopeIntegrity");
    // Whatever else reading it threw (the input is anyone's): ours, in one sentence.
    throw new DecryptError("envelope: it could not be read; pass the string EncryptedValue's envelope output or the CLI's encrypt wrote", "EnvelopeFormat");
  }
  if (options.expectScope !== undefined) checkScope(envelope, options.expectScope);
  if (hasRecipients(envelope)) return openRecipients(envelope, options, services, sensitive);
  checkAllowed(envelope, options);
  const property = envelope.certificateId !== undefined ? "certificateId" : "keyId";
  const value = envelope.certificateId
    ?? (envelope.algorithm === "SYMMETRIC_DEFAULT" ? envelope.keyId : `${envelope.keyId}' version '${envelope.keyVersionId}`);
  try {
    return await decryptEnvelope(services.decryptorIn(envelope.region), envelope);
  } catch (e) {
    if (e instanceof EnvelopeIntegrityError) throw new DecryptError(e.message, "EnvelopeIntegrity");
    if (e instanceof DataKeyRefusedError) throw new DecryptError(e.message, "DataKeyRefused");
    if (e instanceof KeyMismatchError) throw new DecryptError(e.message, "KeyMismatch");
    if (e instanceof PlaintextEncodingError) throw new DecryptError(e.message, "PlaintextEncoding");
    if (e instanceof KmsCallError) {
      const hint = hintFor(envelope.algorithm, e.code);
      const message = hint
        ? `${property} '${value}': ${e.code} — ${hint}`
        : describeKmsError(e, services.errorContext(property, value, envelope.region));
      throw new DecryptError(redact(message, sensitive), e.code);
    }
    throw new DecryptError(redact(ownMessage(e), sensitive), "Unexpected");
  }
}

/** A recipient as decrypt() reports it: the key or certificate and its region. */
export interface RecipientDescription {
  /** The key's ID, for a key. */
  keyId?: string;
  /** The certificate's ID, for a certificate. */
  certificateId?: string;
  /** The region whose KMS was asked. */
  region: string;
}

/** A recipient tried before the one that opened the envelope, and why it could not. */
export interface FailedRecipient extends RecipientDescription {
  /** One sentence: KMS's code and what it means, or why the answer was refused. */
  reason: string;
}

/** What `onOpened` is told: which recipient opened the envelope, and why those tried before it failed. */
export interface OpenedBy extends RecipientDescription {
  /** The recipients tried first, in order, each with its reason. */
  failed: FailedRecipient[];
}

function recipientDescription(r: Recipient): RecipientDescription {
  return r.certificateId !== undefined
    ? { certificateId: r.certificateId, region: r.region }
    : { keyId: r.keyId, region: r.region };
}

/**
 * An envelope of several recipients: those the application allows, its own region's first, then
 * the envelope's order; the first that opens wins and `onOpened` says which. A recipient that
 * fails does not stop the others; when every one fails, the message names each one's reason.
 */
async function openRecipients(
  e: MultiRecipientEnvelope, options: DecryptOptions, services: KmsServices, sensitive: string[],
): Promise<Buffer> {
  const refusals: DecryptError[] = [];
  const allowed = e.recipients.filter((r) => {
    try {
      checkAllowed(r, options);
      return true;
    } catch (refusal) {
      if (!(refusal instanceof DecryptError)) throw refusal;
      refusals.push(refusal);
      return false;
    }
  });
  if (allowed.length === 0) {
    throw new DecryptError(`no recipient of the envelope is allowed (${refusals.map((r) => r.message).join("; ")})`, "NotAllowed");
  }
  const own = services.settings.region;
  const order = [...allowed.filter((r) => r.region === own), ...allowed.filter((r) => r.region !== own)];
  const reason = (f: RecipientFailure): string => {
    const e = f.error;
    if (!(e instanceof KmsCallError)) return redact(ownMessage(e), sensitive);
    const hint = hintFor(f.recipient.algorithm, e.code);
    const property = f.recipient.certificateId !== undefined ? "certificateId" : "keyId";
    const value = f.recipient.certificateId ?? f.recipient.keyId ?? "";
    return redact(hint ? `${e.code} — ${hint}` : describeKmsError(e, services.errorContext(property, value, f.recipient.region)), sensitive);
  };
  try {
    const { plaintext, openedBy, failures } = await decryptRecipients((region) => services.decryptorIn(region), e, order, reason);
    const failed = failures.map((f) => ({ ...recipientDescription(f.recipient), reason: reason(f) }));
    options.onOpened?.({ ...recipientDescription(openedBy), failed });
    return plaintext;
  } catch (failure) {
    if (failure instanceof EnvelopeIntegrityError) throw new DecryptError(failure.message, "EnvelopeIntegrity");
    if (failure instanceof NoRecipientOpenedError) throw new DecryptError(failure.message, "NoRecipient");
    throw new DecryptError(redact(ownMessage(failure), sensitive), "Unexpected");
  }
}

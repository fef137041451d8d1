import { isResourceId, parseKeyReference, printable } from "../kms/identifiers";
import { isDigest } from "../crypto/plaintext-digest";
import { isAlgorithm, type Algorithm } from "../kms/key-spec-limits";
import { type EncryptionContext, encryptionContextProblem } from "../kms/encryption-context";
import { isSecretWire, isUnknown, reveal, UNKNOWN, type Unknown } from "./wire-values";
import { decodeBase64 } from "../base64";

// The resource's inputs as the program sends them, validated for shape (no KMS involved).

export type { Unknown };
export type ChangeDetection = "digest" | "trigger";

export interface CheckFailure {
  property: string;
  reason: string;
}

export type Target =
  | { kind: "key"; keyId: string | Unknown; keyVersionId?: string | Unknown }
  | { kind: "certificate"; certificateId: string | Unknown };

export interface ValidInputs extends SharedInputs {
  /** The plaintext bytes, or UNKNOWN during a preview whose plaintext is not computed yet. */
  plaintext: Buffer | Unknown;
  /** Which input carried it: "plaintext" or "plaintextBase64", for messages. */
  plaintextProperty: "plaintext" | "plaintextBase64";
  trigger?: string | Unknown;
  /**
   * The SDK's digest of the plaintext (crypto/plaintext-digest.ts), UNKNOWN while the stack's digest
   * salt or the plaintext is not known yet (a preview); absent in trigger mode.
   */
  offeredDigest?: string | Unknown;
}

export const INPUT_PROPERTIES = [
  "plaintext",
  "plaintextBase64",
  "keyId",
  "certificateId",
  "algorithm",
  "keyVersionId",
  "changeDetection",
  "trigger",
  "encryptLocally",
  "envelope",
  "envelopeFormat",
  "encryptionContext",
  "recipients",
  "bindScope",
] as const;

/** The envelope formats a value can be written in (see crypto/encryption-sdk-message.ts for the second). */
export const ENVELOPE_FORMATS = ["native", "encryption-sdk"] as const;
export type EnvelopeFormatName = (typeof ENVELOPE_FORMATS)[number];

export function isEnvelopeFormatName(value: unknown): value is EnvelopeFormatName {
  return (ENVELOPE_FORMATS as readonly unknown[]).includes(value);
}

/**
 * Inputs the SDK itself adds (integrityRoot: the resource plugin's, engine/program-inputs.ts); not the
 * user's to set, so not in the "EncryptedValue takes" list.
 */
const SDK_PROPERTIES = ["__provider", "plaintextDigest", "valueUrn", "stackIntegrityKey", "integrityRoot"];

/**
 * A failure about the plaintext. Its property stays empty on purpose: for a named property the
 * engine prints that input's value next to the reason, and for a secret it prints the secret.
 */
export function plaintextFailure(property: string, problem: string): CheckFailure {
  return { property: "", reason: `${property} ${problem}` };
}

/**
 * Why a plaintext that is not a string is refused. A number or a boolean is what a YAML program
 * makes of stack config that looks like one (the YAML runtime parses every config value: 123456
 * becomes a number, 1.50 becomes 1.5, true a boolean), so the text set is not what arrived: it is
 * refused rather than encrypted as text the user did not set, with the quoting that keeps it text.
 */
export function notTextProblem(value: unknown, otherwise: string): string {
  if (typeof value !== "number" && typeof value !== "boolean") return otherwise;
  return `is a ${typeof value}, not text: a YAML program reads stack config that looks like a number or a boolean as one ` +
    "(123456 becomes a number, 1.50 becomes 1.5), so what arrived may not be what was set; set the config value quoted as " +
    "JSON text, which the YAML runtime reads as the text inside the quotes: pulumi config set --secret <key> '\"123456\"'";
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

// The URN the SDK computes (pulumi.createUrn): bounded, no control characters; it is only ever a
// map key and a salt input, never part of a request or a message.
const VALUE_URN = /^urn:pulumi:[^\u0000-\u001f\u007f]{1,4096}$/;

const KEY_FORMS = "use a key ID, alias/<name> or acs:kms:<region>:<account>:key/<key ID>";

/** A string input, trimmed; `problem` says what is wrong with its shape, if anything. */
function optionalString(
  news: Record<string, unknown>,
  name: string,
  failures: CheckFailure[],
  problem: (value: string) => string | undefined = () => undefined,
): string | Unknown | undefined {
  const v = reveal(news[name]);
  if (!present(v)) return undefined;
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v !== "string" || v.trim() === "") {
    failures.push({ property: name, reason: `${name} must be a non-empty string` });
    return undefined;
  }
  const wrong = problem(v.trim());
  if (wrong) {
    // Unattributed on purpose: for a named property the engine prints the raw value beside the
    // reason, control characters and all; the reason names it, escaped.
    failures.push({ property: "", reason: `${name} ${printable(v.trim())} ${wrong}` });
    return undefined;
  }
  return v.trim();
}

/** A failure for each input the resource does not take, suggesting the one meant. */
export function unknownProperties(
  news: Record<string, unknown>,
  resource: string,
  properties: readonly string[],
  sdkProperties: readonly string[],
): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const name of Object.keys(news)) {
    if (sdkProperties.includes(name) || properties.includes(name) || !present(news[name])) continue;
    const near = properties.find((p) => p.toLowerCase() === name.toLowerCase());
    failures.push({ property: name, reason: `unknown property ${name}${near ? `; did you mean ${near}?` : `; ${resource} takes ${properties.join(", ")}`}` });
  }
  return failures;
}

export function parseInputs(news: Record<string, unknown>): { inputs?: ValidInputs; failures: CheckFailure[] } {
  const failures = unknownProperties(news, "EncryptedValue", INPUT_PROPERTIES, SDK_PROPERTIES);

  // The plaintext, from exactly one of the two inputs.
  const text = reveal(news.plaintext);
  const base64 = reveal(news.plaintextBase64);
  let plaintext: Buffer | Unknown | undefined;
  let plaintextProperty: ValidInputs["plaintextProperty"] = "plaintext";
  if (present(text) && present(base64)) {
    failures.push({ property: "", reason: "plaintext and plaintextBase64 are both set; set exactly one (plaintextBase64 for binary data)" });
  } else if (!present(text) && !present(base64)) {
    failures.push({ property: "", reason: "neither plaintext nor plaintextBase64 is set; set exactly one (plaintextBase64 for binary data)" });
  } else if (present(text)) {
    if (isUnknown(text)) plaintext = UNKNOWN;
    else if (typeof text !== "string") {
      failures.push(plaintextFailure("plaintext", notTextProblem(text, "must be a string; use plaintextBase64 for binary data")));
    } else plaintext = Buffer.from(text, "utf8");
  } else {
    plaintextProperty = "plaintextBase64";
    if (isUnknown(base64)) plaintext = UNKNOWN;
    else if (typeof base64 !== "string") failures.push(plaintextFailure("plaintextBase64", "must be a base64 string"));
    else {
      plaintext = decodeBase64(base64);
      if (!plaintext) failures.push(plaintextFailure("plaintextBase64", "is not valid base64; encode the bytes with standard base64 (RFC 4648)"));
    }
  }
  if (plaintext instanceof Buffer && plaintext.length === 0) {
    failures.push(plaintextFailure(plaintextProperty, "is empty; KMS encrypts 1 byte or more"));
  }

  const { shared, changeDetection } = parseSharedInputs(news, failures, "EncryptedValue");
  const triggerValue = reveal(news.trigger);
  let trigger: string | Unknown | undefined;
  if (present(triggerValue)) {
    if (typeof triggerValue === "string" || typeof triggerValue === "number") trigger = String(triggerValue);
    else failures.push({ property: "trigger", reason: "trigger must be a string or a number; change it to re-encrypt" });
  }
  if (changeDetection === "trigger" && trigger === undefined && !failures.some((f) => f.property === "trigger")) {
    failures.push({ property: "trigger", reason: "changeDetection \"trigger\" needs a trigger input; set it to any string and change it whenever the plaintext changes" });
  }

  const offered = reveal(news.plaintextDigest);
  let offeredDigest: string | Unknown | undefined;
  if (changeDetection === "digest" && present(offered)) {
    if (isUnknown(offered) || isDigest(offered)) offeredDigest = offered;
    else failures.push({ property: "", reason: "plaintextDigest is not a digest this version of pulumi-alicloud-kms-encrypted writes; update the package the program uses" });
  }

  if (failures.length > 0 || plaintext === undefined || !shared) return { failures };
  return {
    inputs: {
      ...shared,
      plaintext,
      plaintextProperty,
      ...(trigger !== undefined ? { trigger } : {}),
      ...(offeredDigest !== undefined ? { offeredDigest } : {}),
    },
    failures,
  };
}

/** What both resources take besides their plaintexts: the target, its options and the URN. */
export interface SharedInputs {
  target: Target;
  algorithm?: Algorithm | Unknown;
  changeDetection: ChangeDetection;
  /** Encrypt in this process with the public key; undefined = the alicloud-kms:encryptLocally default. */
  encryptLocally?: boolean;
  /** Envelope encryption: AES-256-GCM with a fresh data key, only the data key through KMS. */
  envelope: boolean;
  /** The envelope's format: ours, or Alibaba's Encryption SDK message (symmetric keys only; envelope encryption). */
  envelopeFormat: EnvelopeFormatName;
  /** The resource's URN, as the SDK computes it: the key of its plaintext hand-off. */
  valueUrn: string;
  /** A symmetric key's encryption context (resolve-target refuses it for any other target). */
  encryptionContext?: EncryptionContext | Unknown;
  /** recipients after the first (target, algorithm, context above are the first's); UNKNOWN in a preview. */
  moreRecipients?: RecipientInputs[] | Unknown;
  /** A direct value under a symmetric key: bind its scope as encryption context (value-scope.ts). */
  bindScope: boolean;
}

/**
 * Why a secret in an encryption context (named by `property`) is refused, which state and envelopes
 * keep in clear: the engine's check (here) and the TypeScript SDK's, before registration.
 */
export function secretContextReason(property: string): string {
  return `${property} holds a secret; the context is stored in state and in every envelope ` +
    "as plain text, so use names and labels only (the secret belongs in plaintext)";
}

/** The check failure for a secret in a context: unattributed, since the engine would print a named property's value. */
function secretContextFailure(property: string): CheckFailure {
  return { property: "", reason: secretContextReason(property) };
}

/** The encryptionContext input: absent, UNKNOWN while any of it is, or a valid context. */
function parseEncryptionContext(
  news: Record<string, unknown>, failures: CheckFailure[], property = "encryptionContext",
): EncryptionContext | Unknown | undefined {
  const wire = news.encryptionContext;
  const value = reveal(wire);
  if (!present(value)) return undefined;
  // The context is stored in state and in every envelope as plain text: a secret has no place in it.
  const secretInside = isSecretWire(wire)
    || (typeof value === "object" && value !== null && Object.values(value).some((v) => isSecretWire(v)));
  if (secretInside) {
    failures.push(secretContextFailure(property));
    return undefined;
  }
  if (isUnknown(value)) return UNKNOWN;
  const isMap = typeof value === "object" && !Array.isArray(value);
  if (isMap && Object.values(value as object).some((v) => isUnknown(reveal(v)))) return UNKNOWN;
  const plain = typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, reveal(v)]))
    : value;
  const problem = encryptionContextProblem(plain);
  if (problem) {
    failures.push({ property, reason: `${property} ${problem}` });
    return undefined;
  }
  return plain as EncryptionContext;
}

/**
 * The target and options, validated: `shared` is undefined (with failures added) when any is wrong;
 * `changeDetection` is always the mode to check the rest against.
 */
export function parseSharedInputs(
  news: Record<string, unknown>,
  failures: CheckFailure[],
  resource: string,
): { shared?: SharedInputs; changeDetection: ChangeDetection } {
  const before = failures.length;
  const recipientsValue = reveal(news.recipients);
  let first: ParsedTarget | undefined;
  let moreRecipients: RecipientInputs[] | Unknown | undefined;
  if (present(recipientsValue)) {
    const parsed = parseRecipients(news, recipientsValue, failures, isSecretWire(news.recipients));
    first = parsed.first;
    moreRecipients = parsed.more;
  } else {
    first = parseTarget(news, "", failures);
  }
  const target = first?.target;
  const algorithm = first?.algorithm;

  const modeValue = reveal(news.changeDetection);
  let changeDetection: ChangeDetection = "digest";
  if (present(modeValue)) {
    if (modeValue === "digest" || modeValue === "trigger") changeDetection = modeValue;
    else failures.push({ property: "changeDetection", reason: `changeDetection '${String(modeValue)}' is not valid; use "digest" (default) or "trigger"` });
  }
  const localValue = reveal(news.encryptLocally);
  let encryptLocally: boolean | undefined;
  if (present(localValue) && !isUnknown(localValue)) {
    if (typeof localValue === "boolean") encryptLocally = localValue;
    else failures.push({ property: "encryptLocally", reason: `encryptLocally must be true or false, not ${JSON.stringify(localValue)}` });
  }

  const envelopeValue = reveal(news.envelope);
  // Several recipients share one data key: envelope encryption is what recipients are.
  let envelope = present(recipientsValue);
  if (present(envelopeValue) && !isUnknown(envelopeValue)) {
    if (typeof envelopeValue !== "boolean") failures.push({ property: "envelope", reason: `envelope must be true or false, not ${JSON.stringify(envelopeValue)}` });
    else if (!envelopeValue && present(recipientsValue)) {
      failures.push({ property: "envelope", reason: "recipients share one data key, so they are envelope encryption; remove envelope: false" });
    } else envelope = envelopeValue;
  }
  const formatValue = reveal(news.envelopeFormat);
  let envelopeFormat: EnvelopeFormatName = "native";
  if (present(formatValue) && !isUnknown(formatValue)) {
    if (isEnvelopeFormatName(formatValue)) envelopeFormat = formatValue;
    else {
      failures.push({ property: "envelopeFormat", reason: `envelopeFormat ${printable(formatValue)} is not valid; use "native" (the default) ` +
        "or \"encryption-sdk\" (Alibaba's Encryption SDK message, for symmetric keys)" });
    }
  }
  if (envelopeFormat === "encryption-sdk") {
    // The Encryption SDK's message is envelope encryption by nature.
    if (envelopeValue === false) failures.push({ property: "envelope", reason: "envelopeFormat \"encryption-sdk\" is envelope encryption; remove envelope: false" });
    envelope = true;
  }
  const encryptionContext = first?.encryptionContext;
  const bindValue = reveal(news.bindScope);
  let bindScope = false;
  if (present(bindValue) && !isUnknown(bindValue)) {
    if (typeof bindValue === "boolean") bindScope = bindValue;
    else failures.push({ property: "bindScope", reason: `bindScope must be true or false, not ${printable(bindValue)}` });
  }

  // What the SDK adds: the value's URN and, in digest mode, the plaintext's digest.
  const valueUrn = reveal(news.valueUrn);
  if (typeof valueUrn !== "string" || !VALUE_URN.test(valueUrn)) {
    failures.push({ property: "", reason: `valueUrn is missing or malformed; create values with the ${resource} class of pulumi-alicloud-kms-encrypted` });
  }

  if (failures.length > before || target === undefined || typeof valueUrn !== "string") return { changeDetection };
  return {
    changeDetection,
    shared: {
      target,
      ...(algorithm !== undefined ? { algorithm } : {}),
      changeDetection,
      ...(encryptLocally !== undefined ? { encryptLocally } : {}),
      envelope,
      envelopeFormat,
      valueUrn,
      bindScope,
      ...(encryptionContext !== undefined ? { encryptionContext } : {}),
      ...(moreRecipients !== undefined ? { moreRecipients } : {}),
    },
  };
}

/** One key or certificate to encrypt under, with its algorithm and context, as given. */
interface ParsedTarget {
  target?: Target;
  algorithm?: Algorithm | Unknown;
  encryptionContext?: EncryptionContext | Unknown;
}

/** A recipient after the first: what resolve-target needs for it. */
export interface RecipientInputs {
  target: Target;
  algorithm?: Algorithm | Unknown;
  encryptionContext?: EncryptionContext | Unknown;
}

export const MAX_RECIPIENTS = 8;
const TARGET_FIELDS = ["keyId", "certificateId", "keyVersionId", "algorithm", "encryptionContext"] as const;

/** The key or the certificate, exactly one, each in the shape KMS gives it; `prefix` names where (recipients[1].). */
function parseTarget(source: Record<string, unknown>, prefix: string, failures: CheckFailure[]): ParsedTarget {
  const name = (field: string) => `${prefix}${field}`;
  const view = Object.fromEntries(TARGET_FIELDS.map((f) => [name(f), source[f]]));
  const keyId = optionalString(view, name("keyId"), failures, (v) => {
    const reference = parseKeyReference(v);
    return typeof reference === "string" ? `${reference} (${KEY_FORMS})` : undefined;
  });
  const certificateId = optionalString(view, name("certificateId"), failures, (v) => isResourceId(v) ? undefined : "is not a certificate ID (letters, digits, - and _)");
  const keyVersionId = optionalString(view, name("keyVersionId"), failures, (v) => isResourceId(v) ? undefined : "is not a key version ID (ListKeyVersions gives them)");
  let target: Target | undefined;
  if (keyId !== undefined && certificateId !== undefined) {
    failures.push({ property: name("certificateId"), reason: `${name("keyId")} and ${name("certificateId")} are both set; set exactly one (a key encrypts with AsymmetricEncrypt or Encrypt, a certificate with CertificatePublicKeyEncrypt)` });
  } else if (keyId === undefined && certificateId === undefined) {
    if (!present(reveal(source.keyId)) && !present(reveal(source.certificateId))) {
      failures.push({ property: name("keyId"), reason: `neither ${name("keyId")} nor ${name("certificateId")} is set; set exactly one (a key ID, alias/… or ARN, or a certificate ID)` });
    }
  } else if (certificateId !== undefined) {
    if (keyVersionId !== undefined) {
      failures.push({ property: name("keyVersionId"), reason: `${name("keyVersionId")} applies to keys only; remove it when encrypting with certificateId` });
    }
    target = { kind: "certificate", certificateId };
  } else if (keyId !== undefined) {
    target = { kind: "key", keyId, ...(keyVersionId !== undefined ? { keyVersionId } : {}) };
  }

  const algorithmValue = reveal(source.algorithm);
  let algorithm: Algorithm | Unknown | undefined;
  if (isUnknown(algorithmValue)) algorithm = UNKNOWN;
  else if (present(algorithmValue)) {
    if (isAlgorithm(algorithmValue)) algorithm = algorithmValue;
    else failures.push({ property: name("algorithm"), reason: `${name("algorithm")} '${String(algorithmValue)}' is not supported; use RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 (RSA keys), SM2PKE (EC_SM2 keys) or SYMMETRIC_DEFAULT (Aliyun_AES_256 and Aliyun_SM4 keys)` });
  }

  const encryptionContext = parseEncryptionContext(source, failures, name("encryptionContext"));
  if (encryptionContext !== undefined && certificateId !== undefined) {
    failures.push({ property: name("encryptionContext"), reason: `${name("encryptionContext")} applies to symmetric keys only; remove it when encrypting with certificateId` });
  }
  return {
    ...(target ? { target } : {}),
    ...(algorithm !== undefined ? { algorithm } : {}),
    ...(encryptionContext !== undefined ? { encryptionContext } : {}),
  };
}

/** recipients: 1 to 8 targets; the first stands where keyId/certificateId would, the rest beside it. */
function parseRecipients(
  news: Record<string, unknown>, value: unknown, failures: CheckFailure[], secretList: boolean,
): { first?: ParsedTarget; more?: RecipientInputs[] | Unknown } {
  const alongside = TARGET_FIELDS.filter((f) => present(reveal(news[f])));
  if (alongside.length > 0) {
    failures.push({ property: alongside[0]!, reason: `recipients replaces ${alongside.join(", ")}; give each recipient its own inside recipients` });
    return {};
  }
  if (isUnknown(value)) return { first: { target: { kind: "key", keyId: UNKNOWN } }, more: UNKNOWN };
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_RECIPIENTS) {
    failures.push({ property: "recipients", reason: `recipients must be a list of 1 to ${MAX_RECIPIENTS} recipients, each { keyId } or { certificateId }` });
    return {};
  }
  const parsed = value.map((raw, i) => {
    const r = reveal(raw);
    if (isUnknown(r)) return { target: { kind: "key", keyId: UNKNOWN } } as ParsedTarget;
    if (typeof r !== "object" || r === null || Array.isArray(r)) {
      failures.push({ property: `recipients[${i}]`, reason: `recipients[${i}] must be an object: { keyId } or { certificateId }, with algorithm, keyVersionId or encryptionContext` });
      return {};
    }
    const given = r as Record<string, unknown>;
    // A secret wrapping the list, or this recipient, wraps its context too (YAML's fn::secret, Python's
    // Output.secret): revealing the wrapper must not reveal the context into state.
    if ((secretList || isSecretWire(raw)) && present(reveal(given.encryptionContext))) {
      failures.push(secretContextFailure(`recipients[${i}].encryptionContext`));
      return {};
    }
    const extra = Object.keys(given).filter((k) => !(TARGET_FIELDS as readonly string[]).includes(k) && present(given[k]));
    if (extra.length > 0) failures.push({ property: `recipients[${i}].${extra[0]}`, reason: `recipients[${i}] does not take ${extra.join(", ")}; a recipient takes ${TARGET_FIELDS.join(", ")}` });
    return parseTarget(r as Record<string, unknown>, `recipients[${i}].`, failures);
  });
  if (parsed.some((p) => !p.target)) return {};
  const more = parsed.slice(1).map((p) => ({ target: p.target!, ...(p.algorithm !== undefined ? { algorithm: p.algorithm } : {}),
    ...(p.encryptionContext !== undefined ? { encryptionContext: p.encryptionContext } : {}) }));
  return { first: parsed[0]!, more };
}

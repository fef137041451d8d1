import { STRICT_BASE64 } from "../base64";
import { isRegionId, isResourceId, printable } from "../kms/identifiers";
import { ALGORITHMS, isAlgorithm, isSymmetric, type Algorithm } from "../kms/key-spec-limits";
import { canonicalContext, type EncryptionContext, encryptionContextProblem } from "../kms/encryption-context";
import { MessageOnlyError } from "../message-only-error";
import { scopeAadLine, scopeJson, scopeProblem, type ValueScope } from "./value-scope";

// The envelope: one string that carries everything needed to decrypt a value. It is base64 (RFC
// 4648, padded) of UTF-8 JSON, version 2:
//
//   { "v": 2,
//     "keyId": "key-…", "keyVersionId": "…"   — or "certificateId": "…"
//     "encryptionContext": { "k": "v", … }     — a symmetric key's, when it has one
//     "algorithm": "RSAES_OAEP_SHA_256" | "RSAES_OAEP_SHA_1" | "SM2PKE" | "SYMMETRIC_DEFAULT",
//     "region": "cn-hangzhou",
//     then either, for a value KMS encrypted directly (at most 190–6047 bytes):
//     "ciphertextBlob": base64 of KMS's ciphertext of the value,
//     "plaintextEncoding": "text"         — a symmetric key's only: Encrypt was given the value's
//                         own UTF-8 text, which Decrypt returns as it is. Absent (envelopes
//                         written before 0.2), it was given base64 of the value; "base64" says so
//     or, for envelope encryption (any size):
//     "encryptedDataKey": base64 of KMS's ciphertext of the tagged data key: the 8 bytes
//                         00 50 41 4B 4D 53 44 4B ("\0PAKMSDK") then a fresh 32-byte data key,
//     "cipher": "AES_256_GCM", "iv": base64 (12 bytes), "tag": base64 (16 bytes),
//     "ciphertext": base64 of the value encrypted with the data key,
//     "scope": { "value": logical name, "entry"?: entry name }   — from 0.2 (value-scope.ts) }
//
// AES-GCM's additional authenticated data binds the header to the ciphertext, so a changed key,
// version, algorithm, region or data key fails the tag: the UTF-8 bytes of
//   "pulumi-alicloud-kms-encrypted/envelope/v2" + "\n" + [keyId, keyVersionId, certificateId,
//   algorithm, region, cipher, encryptedDataKey].join("\n")     (absent fields as "")
//   then, only when there is a context, "\nencryptionContext=" + its JSON with keys sorted
//   then, only when there is a scope, "\nscope=" + JSON [value, entry or null]
// A direct value's envelope has no AAD (KMS's ciphertext is all there is), so it carries no scope.
// Version 1 (still read, no longer written) is the same but for "v": 1, "…/envelope/v1" in the
// AAD, and a data key encrypted bare, which a direct value could not be told apart from (see
// data-key-cipher.ts). Decoders ignore fields they do not know; a "v" they do not know is refused.

export const ENVELOPE_VERSION: EnvelopeVersion = 2;
export const READABLE_VERSIONS = [1, 2] as const;
export type EnvelopeVersion = (typeof READABLE_VERSIONS)[number];
export const DATA_CIPHER = "AES_256_GCM";

export type EnvelopeTarget =
  | { keyId: string; keyVersionId: string; certificateId?: undefined; encryptionContext?: EncryptionContext }
  | { certificateId: string; keyId?: undefined; keyVersionId?: undefined; encryptionContext?: undefined };

export type Envelope = EnvelopeTarget & {
  version: EnvelopeVersion;
  algorithm: Algorithm;
  region: string;
} & (
  | {
    ciphertextBlob: string;
    encryptedDataKey?: undefined;
    /** A symmetric key's: what Decrypt's Plaintext is, the value's text or base64 of it (see above). */
    plaintextEncoding?: PlaintextEncoding;
    /** None: a direct value has no AAD to bind one in. */
    scope?: undefined;
  }
  | {
    encryptedDataKey: string;
    cipher: typeof DATA_CIPHER;
    iv: Buffer;
    tag: Buffer;
    ciphertext: Buffer;
    ciphertextBlob?: undefined;
    /** The value (and entry) it was written for, bound in the AAD; absent in envelopes before 0.2. */
    scope?: ValueScope;
  }
);

/**
 * How KMS's Plaintext carries a value: "text", the value's own UTF-8 text (Encrypt and Decrypt, as
 * every KMS client reads it); "base64", base64 of its bytes (the asymmetric and certificate
 * operations always; Encrypt in envelopes written before 0.2).
 */
export const PLAINTEXT_ENCODINGS = ["text", "base64"] as const;
export type PlaintextEncoding = (typeof PLAINTEXT_ENCODINGS)[number];

export function isPlaintextEncoding(value: unknown): value is PlaintextEncoding {
  return (PLAINTEXT_ENCODINGS as readonly unknown[]).includes(value);
}

/** A malformed envelope; the message says which part and what to do. */
export class EnvelopeFormatError extends MessageOnlyError {
  constructor(message: string) {
    super(`envelope: ${message}`);
  }
}

/** The envelope's data does not authenticate: altered, truncated, or sealed under another header. */
export class EnvelopeIntegrityError extends MessageOnlyError {}

/** The additional authenticated data for the data-key cipher (see the format above). */
export function envelopeAad(e: Envelope): Buffer {
  const cipher = e.encryptedDataKey ? DATA_CIPHER : undefined;
  const fields = [e.keyId, e.keyVersionId, e.certificateId, e.algorithm, e.region, cipher, e.encryptedDataKey];
  // A symmetric key's context (KMS binds it too) joins the list only when there is one, so every
  // envelope written before it existed keeps its AAD.
  if (e.encryptionContext) fields.push(`encryptionContext=${canonicalContext(e.encryptionContext)}`);
  if (e.encryptedDataKey !== undefined && e.scope) fields.push(scopeAadLine(e.scope));
  return Buffer.from(`pulumi-alicloud-kms-encrypted/envelope/v${e.version}\n${fields.map((f) => f ?? "").join("\n")}`, "utf8");
}

export function formatEnvelope(e: Envelope): string {
  const json: Record<string, unknown> = {
    v: e.version,
    ...(e.certificateId !== undefined ? { certificateId: e.certificateId } : { keyId: e.keyId, keyVersionId: e.keyVersionId }),
    ...(e.encryptionContext ? { encryptionContext: e.encryptionContext } : {}),
    algorithm: e.algorithm,
    region: e.region,
    ...(e.encryptedDataKey === undefined
      ? { ciphertextBlob: e.ciphertextBlob, ...(e.plaintextEncoding ? { plaintextEncoding: e.plaintextEncoding } : {}) }
      : {
          encryptedDataKey: e.encryptedDataKey,
          cipher: e.cipher,
          iv: e.iv.toString("base64"),
          tag: e.tag.toString("base64"),
          ciphertext: e.ciphertext.toString("base64"),
          ...(e.scope ? { scope: scopeJson(e.scope) } : {}),
        }),
  };
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64");
}

/**
 * An identifier from the header, checked for its shape before it can reach a host name, a KMS
 * request or a message: whoever wrote the envelope chose it (the region picks the host).
 */
type Shape = (v: unknown) => v is string;

/**
 * A field read from an envelope, fit for a message: text and numbers as printable quotes them,
 * anything else by its type only (a deeply nested list is no text to quote).
 */
function shown(v: unknown): string {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return printable(v);
  return v === null ? "(null)" : Array.isArray(v) ? "(a list)" : `(${typeof v === "object" ? "an object" : typeof v})`;
}

function identifier(o: Record<string, unknown>, name: string, valid: Shape, what: string, where: string): string | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (!valid(v)) throw new EnvelopeFormatError(`${where}${name} ${shown(v)} is not ${what}; the envelope was altered or is not one`);
  return v;
}

/** A base64 field's bytes; `where` names the part of the envelope it is in (a recipient's), if any. */
export function bytes(o: Record<string, unknown>, name: string, length?: number, where = ""): Buffer {
  const v = o[name];
  if (typeof v !== "string" || !STRICT_BASE64.test(v) || v === "") throw new EnvelopeFormatError(`${where}${name} is missing or not base64`);
  const b = Buffer.from(v, "base64");
  if (length !== undefined && b.length !== length) {
    throw new EnvelopeFormatError(`${where}${name} is ${b.length} bytes, not ${length}; the envelope was truncated or altered`);
  }
  return b;
}

/** Who encrypted: the key or certificate, its context, algorithm and region, as an envelope's header names them. */
export type EnvelopeHeader = EnvelopeTarget & { algorithm: Algorithm; region: string };

/**
 * The header fields of a version 2 envelope or of one recipient of a version 3 one (`where` says
 * which, for messages), each checked for its shape.
 */
export function parseHeader(o: Record<string, unknown>, where = ""): EnvelopeHeader {
  const keyId = identifier(o, "keyId", isResourceId, "a key ID", where);
  const keyVersionId = identifier(o, "keyVersionId", isResourceId, "a key version ID", where);
  const certificateId = identifier(o, "certificateId", isResourceId, "a certificate ID", where);
  let target: EnvelopeTarget;
  if (certificateId !== undefined && keyId === undefined && keyVersionId === undefined) target = { certificateId };
  else if (certificateId === undefined && keyId !== undefined && keyVersionId !== undefined) target = { keyId, keyVersionId };
  else throw new EnvelopeFormatError(`${where}needs keyId with keyVersionId, or certificateId alone`);
  if (!isAlgorithm(o.algorithm)) throw new EnvelopeFormatError(`${where}algorithm must be one of ${ALGORITHMS.join(", ")}`);
  if (o.encryptionContext !== undefined) {
    // Not printed: a context is not secret, but whoever wrote the envelope chose it.
    const problem = encryptionContextProblem(o.encryptionContext);
    if (problem) throw new EnvelopeFormatError(`${where}encryptionContext ${problem}; the envelope was altered or is not one`);
    if (!isSymmetric(o.algorithm) || target.certificateId !== undefined) {
      throw new EnvelopeFormatError(`${where}has an encryptionContext, which only a symmetric key (SYMMETRIC_DEFAULT) takes`);
    }
    target = { ...target, encryptionContext: o.encryptionContext as EncryptionContext };
  }
  const region = identifier(o, "region", isRegionId, "a region ID (like cn-hangzhou)", where);
  if (region === undefined) throw new EnvelopeFormatError(`${where}region is missing`);
  return { ...target, algorithm: o.algorithm, region };
}

export function parseEnvelope(text: string): Envelope {
  return parseEnvelopeJson(envelopeJson(text));
}

/** The JSON object inside an envelope string, of whatever version. */
export function envelopeJson(text: string): Record<string, unknown> {
  return jsonOf(envelopeBytes(text));
}

/**
 * The longest envelope read, in characters: 256 MiB, half of V8's longest string, so that reading
 * one never fails inside the runtime (a value of about 140 MB of plaintext with envelope: true).
 */
export const MAX_ENVELOPE_CHARS = 256 * 1024 * 1024;

/** The bytes an envelope string carries (our JSON, or an Encryption SDK message). */
export function envelopeBytes(text: string): Buffer {
  if (text.length > MAX_ENVELOPE_CHARS) {
    throw new EnvelopeFormatError(`the input is ${Math.round(text.length / 1024 / 1024)} MiB, over the ${MAX_ENVELOPE_CHARS / 1024 / 1024} MiB ` +
      "an envelope may be; it is not one this package wrote");
  }
  const compact = text.replace(/\s+/g, "");
  if (compact === "") throw new EnvelopeFormatError("the input is empty; pass the string EncryptedValue's envelope output or the CLI's encrypt wrote");
  if (!STRICT_BASE64.test(compact)) throw new EnvelopeFormatError("not base64; pass the string EncryptedValue's envelope output or the CLI's encrypt wrote");
  return Buffer.from(compact, "base64");
}

/** Whether bytes begin as our envelope's JSON does, even cut short. */
export function beginsLikeEnvelopeJson(bytes: Buffer): boolean {
  return bytes.subarray(0, 2).toString("latin1") === "{\"";
}

/** The JSON object of an envelope's bytes. */
export function jsonOf(bytes: Buffer): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(bytes.toString("utf8"));
  } catch {
    // An envelope cut short (or altered) is refused as one, not taken for something else.
    if (beginsLikeEnvelopeJson(bytes)) throw new EnvelopeIntegrityError("envelope: its JSON is cut short or altered; nothing was decrypted");
    throw new EnvelopeFormatError("the base64 does not hold JSON; it is not an envelope (a bare ciphertextBlob also needs its key, version and algorithm)");
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new EnvelopeFormatError("the JSON is not an object");
  return o as Record<string, unknown>;
}

/** A version 1 or 2 envelope (one key or certificate) from its JSON object. */
export function parseEnvelopeJson(json: Record<string, unknown>): Envelope {
  const version = READABLE_VERSIONS.find((v) => v === json.v);
  if (json.v === 3) throw new EnvelopeFormatError("is an envelope of several recipients (version 3), where one key or certificate is expected");
  if (version === undefined) {
    throw new EnvelopeFormatError(`version ${shown(json.v)} is not one this package reads (1, 2, 3); ` +
      "upgrade pulumi-alicloud-kms-encrypted");
  }
  const header = { ...parseHeader(json), version };

  if (json.encryptedDataKey === undefined) {
    if (json.cipher !== undefined || json.ciphertext !== undefined) throw new EnvelopeFormatError("has a ciphertext but no encryptedDataKey");
    if (json.scope !== undefined) throw new EnvelopeFormatError("has a scope, which a value KMS encrypted directly cannot bind; the envelope was altered");
    bytes(json, "ciphertextBlob");
    return { ...header, ciphertextBlob: json.ciphertextBlob as string, ...directEncoding(json, header.algorithm) };
  }
  if (json.ciphertextBlob !== undefined) throw new EnvelopeFormatError("has both ciphertextBlob and encryptedDataKey");
  if (json.plaintextEncoding !== undefined) throw new EnvelopeFormatError("has a plaintextEncoding, which only a value KMS encrypted directly has");
  if (json.cipher !== DATA_CIPHER) throw new EnvelopeFormatError(`cipher ${JSON.stringify(json.cipher)} is not ${DATA_CIPHER}`);
  bytes(json, "encryptedDataKey");
  return {
    ...header,
    encryptedDataKey: json.encryptedDataKey as string,
    cipher: DATA_CIPHER,
    iv: bytes(json, "iv", 12),
    tag: bytes(json, "tag", 16),
    ciphertext: json.ciphertext === "" ? Buffer.alloc(0) : bytes(json, "ciphertext"),
    ...parseScope(json),
  };
}

/** An envelope's scope, checked for its shape (it reaches messages); none before 0.2. */
export function parseScope(json: Record<string, unknown>): { scope?: ValueScope } {
  if (json.scope === undefined) return {};
  const problem = scopeProblem(json.scope);
  if (problem) throw new EnvelopeFormatError(`scope ${problem}; the envelope was altered or is not one`);
  return { scope: json.scope as ValueScope };
}

/**
 * A direct value's plaintextEncoding: a symmetric key's says what Decrypt returns ("base64" when
 * absent: written before 0.2); the asymmetric operations always carry base64, so none is written.
 */
function directEncoding(json: Record<string, unknown>, algorithm: Algorithm): { plaintextEncoding?: PlaintextEncoding } {
  const v = json.plaintextEncoding;
  if (!isSymmetric(algorithm)) {
    if (v !== undefined) throw new EnvelopeFormatError("has a plaintextEncoding, which only a symmetric key's value has");
    return {};
  }
  if (v === undefined) return { plaintextEncoding: "base64" };
  if (!isPlaintextEncoding(v)) {
    throw new EnvelopeFormatError(`plaintextEncoding ${shown(v)} is not "text" or "base64"; the envelope was altered or is not one`);
  }
  return { plaintextEncoding: v };
}

/** The target outputs an envelope's header is made of, as a resource reports them ("" where one does not apply). */
export interface TargetOutputs {
  keyId: string;
  keyVersionId: string;
  certificateId: string;
  algorithm: string;
  region: string;
  /** A symmetric key's context; {} or absent for none. */
  encryptionContext?: Readonly<Record<string, string>>;
}

function hasContext(context: Readonly<Record<string, string>> | undefined): context is EncryptionContext {
  return context !== undefined && Object.keys(context).length > 0;
}

/**
 * The envelope of a value KMS encrypted directly, from its ciphertext and the target's outputs:
 * byte for byte what encryptValue made beside that ciphertext. EncryptedValues keeps only the
 * ciphertexts in state and the program derives the envelopes, so state holds each entry once.
 */
export function envelopeOfCiphertext(t: TargetOutputs, ciphertextBlob: string): string {
  if (!isAlgorithm(t.algorithm)) throw new EnvelopeFormatError(`the algorithm ${shown(t.algorithm)} is not one KMS encrypts with`);
  const target: EnvelopeTarget = t.certificateId
    ? { certificateId: t.certificateId }
    : {
        keyId: t.keyId,
        keyVersionId: t.keyVersionId,
        ...(hasContext(t.encryptionContext) ? { encryptionContext: t.encryptionContext } : {}),
      };
  return formatEnvelope({
    ...target, version: ENVELOPE_VERSION, algorithm: t.algorithm, region: t.region, ciphertextBlob,
    // Every symmetric value this version stores carries its text (older ones re-encrypt at the next up).
    ...(isSymmetric(t.algorithm) ? { plaintextEncoding: "text" as const } : {}),
  });
}

import { createCipheriv, randomBytes, timingSafeEqual } from "node:crypto";
import { openGcm } from "./data-key-cipher";
import { DerError, DerTruncatedError, eachElement, headerAt, type Element, fields, integer, octets, only, readInteger, sequence, setOf, TAG } from "./der";
import { EnvelopeFormatError, EnvelopeIntegrityError } from "./envelope-format";
import type { Recipient } from "./recipients-envelope";
import { type EncryptionContext, encryptionContextProblem, MAX_CONTEXT_JSON } from "../kms/encryption-context";
import { parseKeyReference, printable } from "../kms/identifiers";

// Alibaba Cloud's Encryption SDK message, so that an application in Java, Python or Go opens a
// value with `AliyunCrypto.decrypt` and nothing of ours (and we open what it writes). Read from
// the SDK's own code (aliyun_encryption_sdk 0.1.2: handle/format.py, handle/encryption.py,
// model.py, provider/base.py); ASN.1 DER:
//
//   Message ::= SEQUENCE {
//     header SEQUENCE {
//       version INTEGER (1), algorithm INTEGER (2 = AES_GCM_NOPADDING_256, 1 = …_128),
//       encryptedDataKeys SET OF SEQUENCE { cmkArn OCTET STRING, encryptedDataKey OCTET STRING },
//       encryptionContext SET OF SEQUENCE { key OCTET STRING, value OCTET STRING },   — may be empty
//       headerIv OCTET STRING (12), headerAuthTag OCTET STRING (16) },
//     body SEQUENCE { iv OCTET STRING (12), cipherText OCTET STRING, authTag OCTET STRING (16) } }
//
// encryptedDataKey holds the bytes of KMS's CiphertextBlob of the data key's base64 text (each CMK
// by ARN, in its own region: GenerateDataKey, or Encrypt of that base64 text; Decrypt returns it).
// The header is authenticated by AES-GCM under the data key over nothing, with as AAD (big-endian
// 32-bit lengths and counts):
//   version ‖ algorithm ‖ count(context) ‖ context bytes ‖ count(keys) ‖
//   for each key sorted by ARN bytes: len(arn) ‖ arn ‖ len(b64) ‖ b64   (b64: the CiphertextBlob text)
// and the body is AES-GCM under the data key with the context bytes as AAD, where context bytes are
//   nothing for no context, else count ‖ for each pair sorted by key bytes: len(k) ‖ k ‖ len(v) ‖ v.
// It has no key commitment: with several CMKs, nothing proves they wrap the same data key (the v3
// envelope's commitment does); and it carries only symmetric CMKs.

export const SDK_MESSAGE_FORMAT = "encryption-sdk";
const SDK_VERSION = 1;
/** The SDK's AES-GCM algorithms by ID, with their data key length; its CBC and CTR ones authenticate nothing. */
const GCM_KEY_BYTES: Record<number, number> = { 1: 16, 2: 32 };
export const SDK_ALGORITHM_AES_256_GCM = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A message carries one encrypted data key per recipient: this many at the most (as the SDK writes them). */
const MAX_DATA_KEYS = 8;

/** One CMK of the message: where its KMS is (from the ARN) and its ciphertext of the data key. */
export type SdkRecipient = Recipient & { arn: string };

export interface SdkMessage {
  format: typeof SDK_MESSAGE_FORMAT;
  algorithm: number;
  recipients: SdkRecipient[];
  encryptionContext: EncryptionContext;
  headerIv: Buffer;
  headerAuthTag: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function isSdkMessage(e: object): e is SdkMessage {
  return (e as { format?: unknown }).format === SDK_MESSAGE_FORMAT;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sized = (b: Buffer) => Buffer.concat([u32(b.length), b]);
const byBytes = (a: [Buffer, Buffer], b: [Buffer, Buffer]) => Buffer.compare(a[0], b[0]);

function contextPairs(context: EncryptionContext): [Buffer, Buffer][] {
  return Object.entries(context).map(([k, v]) => [Buffer.from(k, "utf8"), Buffer.from(v, "utf8")]);
}

/** The body's AAD: the context serialized as the SDK does (nothing for none). */
export function contextBytes(context: EncryptionContext): Buffer {
  const pairs = contextPairs(context).sort(byBytes);
  if (pairs.length === 0) return Buffer.alloc(0);
  return Buffer.concat([u32(pairs.length), ...pairs.flatMap(([k, v]) => [sized(k), sized(v)])]);
}

function headerAad(m: Pick<SdkMessage, "algorithm" | "recipients" | "encryptionContext">): Buffer {
  const keys = m.recipients.map((r): [Buffer, Buffer] => [Buffer.from(r.arn, "utf8"), Buffer.from(r.encryptedDataKey, "utf8")]).sort(byBytes);
  return Buffer.concat([
    u32(SDK_VERSION), u32(m.algorithm), u32(Object.keys(m.encryptionContext).length), contextBytes(m.encryptionContext),
    u32(keys.length), ...keys.flatMap(([arn, blob]) => [sized(arn), sized(blob)]),
  ]);
}

function gcm(dataKey: Buffer) {
  return `aes-${dataKey.length * 8}-gcm` as "aes-256-gcm";
}

function headerTag(dataKey: Buffer, m: Pick<SdkMessage, "algorithm" | "recipients" | "encryptionContext">, iv: Buffer): Buffer {
  const c = createCipheriv(gcm(dataKey), dataKey, iv, { authTagLength: TAG_BYTES });
  c.setAAD(headerAad(m));
  c.final();
  return c.getAuthTag();
}

/**
 * A message sealed under `dataKey` (32 bytes, AES_GCM_NOPADDING_256) for the CMKs that wrapped it.
 * `recipients` carry each CMK's ARN and its CiphertextBlob of the data key's base64 text.
 */
export function sealSdkMessage(
  dataKey: Buffer, recipients: SdkRecipient[], encryptionContext: EncryptionContext, plaintext: Buffer,
): SdkMessage {
  // In DER's SET OF order, so recipients[0] is the data key a reader of the bytes finds first.
  const ordered = [...recipients].sort((a, b) => Buffer.compare(keyElement(a), keyElement(b)));
  const header = { algorithm: SDK_ALGORITHM_AES_256_GCM, recipients: ordered, encryptionContext };
  const headerIv = randomBytes(IV_BYTES);
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv(gcm(dataKey), dataKey, iv, { authTagLength: TAG_BYTES });
  c.setAAD(contextBytes(encryptionContext));
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  return {
    format: SDK_MESSAGE_FORMAT, ...header, headerIv, headerAuthTag: headerTag(dataKey, header, headerIv),
    iv, ciphertext, tag: c.getAuthTag(),
  };
}

/** The plaintext, or undefined when the data key does not authenticate the header or the body. */
export function openSdkMessage(dataKey: Buffer, m: SdkMessage): Buffer | undefined {
  if (dataKey.length !== GCM_KEY_BYTES[m.algorithm]) return undefined;
  if (!timingSafeEqual(headerTag(dataKey, m, m.headerIv), m.headerAuthTag)) return undefined;
  return openGcm(dataKey, m, contextBytes(m.encryptionContext));
}

const keyElement = (r: SdkRecipient) => sequence(octets(Buffer.from(r.arn, "utf8")), octets(Buffer.from(r.encryptedDataKey, "base64")));

/** The message's DER bytes. */
export function formatSdkMessage(m: SdkMessage): Buffer {
  const keys = m.recipients.map(keyElement);
  const context = contextPairs(m.encryptionContext).map(([k, v]) => sequence(octets(k), octets(v)));
  const header = sequence(
    integer(SDK_VERSION), integer(m.algorithm), setOf(keys), setOf(context), octets(m.headerIv), octets(m.headerAuthTag),
  );
  return sequence(header, sequence(octets(m.iv), octets(m.ciphertext), octets(m.tag)));
}

/**
 * Whether bytes begin as a message does, even cut short: a SEQUENCE holding a SEQUENCE (the header)
 * that starts with the version, INTEGER 1. Random bytes (a bare ciphertext) do about once in 2^40.
 */
export function beginsLikeSdkMessage(bytes: Buffer): boolean {
  try {
    if (bytes[0] !== TAG.SEQUENCE) return false;
    const header = headerAt(bytes, 0).header;
    if (bytes[header] !== TAG.SEQUENCE) return false;
    const version = header + headerAt(bytes, header).header;
    return bytes[version] === TAG.INTEGER && bytes[version + 1] === 1 && bytes[version + 2] === SDK_VERSION;
  } catch {
    return false;
  }
}

/** Whether bytes (an envelope string's, decoded) are a DER SEQUENCE rather than our JSON. */
export function looksLikeSdkMessage(bytes: Buffer): boolean {
  return bytes[0] === TAG.SEQUENCE;
}

/** A message from its DER bytes, every part checked; a malformed one is an EnvelopeFormatError. */
export function parseSdkMessage(bytes: Buffer): SdkMessage {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof DerTruncatedError) {
      throw new EnvelopeIntegrityError(`Encryption SDK message: ${e.message}: it was cut short (truncated); nothing was decrypted`);
    }
    if (e instanceof DerError) throw new EnvelopeFormatError(`Encryption SDK message: ${e.message}; it was altered or is not one`);
    throw e;
  }
}

function parse(bytes: Buffer): SdkMessage {
  const [headerDer, bodyDer] = fields(only(bytes, TAG.SEQUENCE, "the message"), [TAG.SEQUENCE, TAG.SEQUENCE], "the message");
  const [version, algorithm, keysDer, contextDer, headerIv, headerAuthTag] = fields(headerDer!,
    [TAG.INTEGER, TAG.INTEGER, TAG.SET, TAG.SET, TAG.OCTET_STRING, TAG.OCTET_STRING], "the header");
  if (readInteger(version!, "the version") !== SDK_VERSION) throw new DerError(`its version is not ${SDK_VERSION}`);
  const algorithmId = readInteger(algorithm!, "the algorithm");
  if (GCM_KEY_BYTES[algorithmId] === undefined) {
    throw new EnvelopeFormatError(`Encryption SDK message: algorithm ${algorithmId} is not AES-GCM (1 or 2); ` +
      "its CBC and CTR modes authenticate nothing, so such a message is not opened");
  }
  // Both SETs are read one element at a time and refused at the first past their bound: a hostile
  // message's millions of elements cost nothing past that.
  const keys: Element[] = [];
  for (const key of eachElement(keysDer!)) {
    if (keys.length === MAX_DATA_KEYS) throw new DerError(`it needs 1 to ${MAX_DATA_KEYS} encrypted data keys`);
    keys.push(key);
  }
  if (keys.length === 0) throw new DerError(`it needs 1 to ${MAX_DATA_KEYS} encrypted data keys`);
  const encryptionContext: Record<string, string> = Object.create(null) as Record<string, string>;
  let contextJson = 2; // {}
  for (const pair of eachElement(contextDer!)) {
    if (pair.tag !== TAG.SEQUENCE) throw new DerError("an encryption context pair is not a SEQUENCE");
    const [k, v] = fields(pair.content, [TAG.OCTET_STRING, TAG.OCTET_STRING], "an encryption context pair");
    const key = k!.toString("utf8");
    if (Object.hasOwn(encryptionContext, key)) throw new DerError("its encryption context names a key twice");
    encryptionContext[key] = v!.toString("utf8");
    contextJson += JSON.stringify(key).length + JSON.stringify(encryptionContext[key]).length + 2; // "k":"v",
    if (contextJson > MAX_CONTEXT_JSON + 1) {
      throw new EnvelopeFormatError(`Encryption SDK message: its encryption context is over ${MAX_CONTEXT_JSON} characters as JSON, KMS's limit`);
    }
  }
  const context = { ...encryptionContext };
  if (Object.keys(context).length > 0) {
    const problem = encryptionContextProblem(context);
    if (problem) throw new EnvelopeFormatError(`Encryption SDK message: its encryption context ${problem}`);
  }
  const recipients = keys.map((k, i): SdkRecipient => {
    if (k.tag !== TAG.SEQUENCE) throw new DerError(`encrypted data key ${i + 1} is not a SEQUENCE`);
    const [arnBytes, blob] = fields(k.content, [TAG.OCTET_STRING, TAG.OCTET_STRING], `encrypted data key ${i + 1}`);
    const arn = arnBytes!.toString("utf8");
    const reference = parseKeyReference(arn);
    if (typeof reference === "string" || reference.kind !== "arn" || reference.keyId === undefined) {
      throw new EnvelopeFormatError(`Encryption SDK message: encrypted data key ${i + 1} names ${printable(arn)}, not a key ARN ` +
        "(acs:kms:<region>:<account>:key/<key ID>)");
    }
    const encryptedDataKey = blob!.toString("base64");
    if (blob!.length === 0) throw new DerError(`encrypted data key ${i + 1} is empty`);
    return {
      arn, keyId: reference.keyId, keyVersionId: "-", algorithm: "SYMMETRIC_DEFAULT", region: reference.region, encryptedDataKey,
      ...(Object.keys(context).length > 0 ? { encryptionContext: context } : {}),
    };
  });
  const [iv, ciphertext, tag] = fields(bodyDer!, [TAG.OCTET_STRING, TAG.OCTET_STRING, TAG.OCTET_STRING], "the body");
  for (const [name, b] of [["header IV", headerIv], ["body IV", iv]] as const) {
    if (b!.length !== IV_BYTES) throw new DerError(`its ${name} is ${b!.length} bytes, not ${IV_BYTES}`);
  }
  for (const [name, b] of [["header tag", headerAuthTag], ["body tag", tag]] as const) {
    if (b!.length !== TAG_BYTES) throw new DerError(`its ${name} is ${b!.length} bytes, not ${TAG_BYTES}`);
  }
  return {
    format: SDK_MESSAGE_FORMAT, algorithm: algorithmId, recipients, encryptionContext: context,
    headerIv: headerIv!, headerAuthTag: headerAuthTag!, iv: iv!, ciphertext: ciphertext!, tag: tag!,
  };
}

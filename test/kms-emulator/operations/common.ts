import { ConnectionDropped, errors, KmsError } from "../errors";
import { type EncryptionAlgorithm, type KeySpec, keySpecFacts, maxPlaintextBytes } from "../keys/key-spec";
import type { Params } from "../protocol/params";
import type { KeyStore } from "../store/key-store";
import type { KeyRecord } from "../store/records";
import type { Behaviour, OperationContext } from "./operation";
import { canonicalContext } from "../keys/symmetric-blob";

// Preconditions shared by several operations, each throwing the error KMS answers.

export function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") throw errors.missingParameter(name);
  return value;
}

export function integer(params: Params, name: string, fallback: number, min: number, max: number): number {
  const raw = params[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw errors.invalidParameter(name, `It must be an integer from ${min} to ${max}.`);
  }
  return value;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function base64Bytes(params: Params, name: string): Buffer {
  const value = required(params, name);
  if (!BASE64.test(value)) throw errors.invalidParameter(name, "It must be Base64-encoded.");
  return Buffer.from(value, "base64");
}

/** Cryptographic operations and new versions need an Enabled key. */
export function assertUsable(key: KeyRecord): void {
  switch (key.keyState) {
    case "Enabled":
      return;
    case "Disabled":
      throw errors.keyDisabled();
    case "PendingDeletion":
      throw errors.keyPendingDeletion();
    case "PendingImport":
      throw errors.keyPendingImport();
  }
}

export function assertAsymmetric(key: KeyRecord): void {
  if (keySpecFacts[key.keySpec].symmetric) {
    throw errors.unsupportedOperation(`The operation is not supported for a ${key.keySpec} key.`);
  }
}

export function assertEncryptionKey(key: KeyRecord): void {
  assertAsymmetric(key);
  if (key.keyUsage !== "ENCRYPT/DECRYPT") {
    throw errors.unsupportedOperation(`The key usage is ${key.keyUsage}; encryption needs ENCRYPT/DECRYPT.`);
  }
}

/** The Algorithm parameter, checked against the key spec; returns it with its plaintext limit. */
export function encryptionAlgorithm(
  params: Params,
  keySpec: KeySpec,
  key?: KeyRecord,
): { algorithm: EncryptionAlgorithm; limit: number } {
  const algorithm = required(params, "Algorithm");
  const limit = maxPlaintextBytes(keySpec, algorithm);
  if (key?.encryptionAlgorithms && !key.encryptionAlgorithms.includes(algorithm)) {
    throw errors.invalidParameter("Algorithm", `${algorithm} is not valid for ${key.keyId} (valid: ${key.encryptionAlgorithms.join(", ")}).`);
  }
  if (limit === undefined) {
    const valid = Object.keys(keySpecFacts[keySpec].encryption).join(", ") || "none";
    throw errors.invalidParameter("Algorithm", `${algorithm} is not valid for ${keySpec} (valid: ${valid}).`);
  }
  return { algorithm: algorithm as EncryptionAlgorithm, limit };
}

/** The asymmetric and certificate operations' Plaintext: base64 of the bytes to encrypt. */
export function plaintextWithin(params: Params, limit: number): Buffer {
  return withinLimit(base64Bytes(params, "Plaintext"), limit);
}

/**
 * Encrypt's Plaintext: an opaque string, encrypted as its UTF-8 bytes and returned verbatim by
 * Decrypt (Alibaba's best-practice page, alicloud_kms_ciphertext and its Encryption SDK all rely on
 * that); its limit counts those bytes.
 */
export function textPlaintextWithin(params: Params, limit: number): Buffer {
  return withinLimit(Buffer.from(required(params, "Plaintext"), "utf8"), limit);
}

function withinLimit(plaintext: Buffer, limit: number): Buffer {
  if (plaintext.length === 0) throw errors.invalidParameter("Plaintext", "It must not be empty.");
  if (plaintext.length > limit) {
    throw errors.invalidParameter(
      "Plaintext",
      `It is ${plaintext.length} bytes; the limit for this key and algorithm is ${limit}.`,
    );
  }
  return plaintext;
}

/** Resolve the key and version named by KeyId and KeyVersionId. */
export function keyAndVersion(store: KeyStore, params: Params) {
  const keyId = required(params, "KeyId");
  const keyVersionId = required(params, "KeyVersionId");
  const key = store.resolveKey(keyId);
  return { key, version: store.version(key, keyVersionId) };
}

export function keyMetadata(store: KeyStore, key: KeyRecord, behaviour: Behaviour) {
  const primary = store.primaryVersion(key);
  // Documented for symmetric keys only; for asymmetric ones each plausible shape (Behaviour).
  const shape = keySpecFacts[key.keySpec].symmetric ? "present" : behaviour.asymmetricPrimaryKeyVersion;
  return {
    KeyId: key.keyId,
    Arn: store.keyArn(key.keyId),
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    ...(shape === "absent" ? {} : { PrimaryKeyVersion: shape === "empty" ? "" : primary.keyVersionId }),
    ...(key.kmsInstanceId ? { DKMSInstanceId: key.kmsInstanceId } : {}),
    ProtectionLevel: key.protectionLevel,
    Origin: "Aliyun_KMS",
    CreationDate: key.creationDate,
    Creator: store.accountId,
    Description: key.description,
    DeleteDate: key.deleteDate ?? "",
    LastRotationDate: primary.creationDate,
    AutomaticRotation: "Disabled",
    RotationInterval: "",
    NextRotationDate: "",
    MaterialExpireTime: "",
    DeletionProtection: "Disabled",
  };
}

/**
 * A cryptographic call on a key of a KMS instance without Internet access, through the public
 * gateway: refused the way the seed says (an error, or a dropped connection). Describe* and List*
 * never come here: the shared gateway serves them from anywhere.
 */
export function assertReachable({ store, gateway }: OperationContext, key: KeyRecord): void {
  if (!key.kmsInstanceId || gateway === "vpc") return;
  const instance = store.instance(key.kmsInstanceId);
  if (instance.internetAccess) return;
  if (instance.refusal === "drop") throw new ConnectionDropped();
  throw new KmsError(instance.refusal.status, instance.refusal.code, instance.refusal.message);
}

/** ListX paging: PageNumber from 1, PageSize 1–100 (default 10). */
export function page<T>(params: Params, items: T[]) {
  const pageNumber = integer(params, "PageNumber", 1, 1, 1_000_000);
  const pageSize = integer(params, "PageSize", 10, 1, 100);
  return {
    TotalCount: items.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    items: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
  };
}

export function assertSymmetric(key: KeyRecord): void {
  if (!keySpecFacts[key.keySpec].symmetric) {
    throw errors.unsupportedOperation(`The operation is not supported for a ${key.keySpec} key; use AsymmetricEncrypt or AsymmetricDecrypt.`);
  }
}

/**
 * EncryptionContext: a JSON object of string → string, or none ({}), as the text bound into the
 * ciphertext: keys sorted when contexts match as maps, the text itself when they must match exactly.
 */
export function encryptionContext(params: Params, behaviour: Behaviour, name = "EncryptionContext"): string {
  const raw = params[name];
  if (raw === undefined || raw === "") return "{}";
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.invalidParameter(name, "It must be a JSON object.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)
    || !Object.values(parsed).every((v) => typeof v === "string")) {
    throw errors.invalidParameter(name, "It must be a JSON object of string values.");
  }
  return behaviour.encryptionContextMatch === "exact" ? raw : canonicalContext(parsed as Record<string, string>);
}

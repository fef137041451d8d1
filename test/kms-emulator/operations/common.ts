import { errors } from "../errors";
import { type EncryptionAlgorithm, type KeySpec, keySpecFacts, maxPlaintextBytes } from "../keys/key-spec";
import type { Params } from "../protocol/params";
import type { KeyStore } from "../store/key-store";
import type { KeyRecord } from "../store/records";

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
): { algorithm: EncryptionAlgorithm; limit: number } {
  const algorithm = required(params, "Algorithm");
  const limit = maxPlaintextBytes(keySpec, algorithm);
  if (limit === undefined) {
    const valid = Object.keys(keySpecFacts[keySpec].encryption).join(", ") || "none";
    throw errors.invalidParameter("Algorithm", `${algorithm} is not valid for ${keySpec} (valid: ${valid}).`);
  }
  return { algorithm: algorithm as EncryptionAlgorithm, limit };
}

export function plaintextWithin(params: Params, limit: number): Buffer {
  const plaintext = base64Bytes(params, "Plaintext");
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

export function keyMetadata(store: KeyStore, key: KeyRecord) {
  const primary = store.primaryVersion(key);
  return {
    KeyId: key.keyId,
    Arn: store.keyArn(key.keyId),
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    PrimaryKeyVersion: primary.keyVersionId,
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

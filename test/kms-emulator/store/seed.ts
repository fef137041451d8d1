import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { isCertificateKeySpec, isKeySpec, isKeyUsage, keySpecFacts } from "../keys/key-spec";
import type { AccessKey } from "../protocol/authenticate";
import { type KeyStore, type NewCertificate, type NewKey, newKeyId } from "./key-store";
import { CERTIFICATE_STATUSES, type CertificateStatus, type InstanceRecord, KEY_STATES, type KeyState } from "./records";

// The seed file: who may call, and which keys and certificates exist at start. Missing key
// material is generated; the last version listed is the primary one. See README "KMS emulator".

export interface Seed {
  accessKeys: AccessKey[];
  keys: (NewKey & { aliases?: string[] })[];
  certificates: NewCertificate[];
  /** KMS instances and how their keys' cryptographic calls fare through the public gateway. */
  instances?: InstanceRecord[];
}

export class SeedError extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new SeedError(`${where} must be an object`);
  return value as Json;
}

function array(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SeedError(`${where} must be an array`);
  return value;
}

function text(value: unknown, where: string, required: true): string;
function text(value: unknown, where: string, required: false): string | undefined;
function text(value: unknown, where: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value === "") throw new SeedError(`${where} must be a non-empty string`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new SeedError(`${where} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function parseSeed(input: unknown): Seed {
  const root = object(input, "the seed");
  const accessKeys = array(root.accessKeys, "accessKeys").map((entry, i) => {
    const where = `accessKeys[${i}]`;
    const o = object(entry, where);
    const accessKey: AccessKey = {
      accessKeyId: text(o.accessKeyId, `${where}.accessKeyId`, true),
      accessKeySecret: text(o.accessKeySecret, `${where}.accessKeySecret`, true),
    };
    const token = text(o.securityToken, `${where}.securityToken`, false);
    if (token) accessKey.securityToken = token;
    if (o.deniedActions !== undefined) {
      accessKey.deniedActions = array(o.deniedActions, `${where}.deniedActions`).map((a, j) =>
        text(a, `${where}.deniedActions[${j}]`, true),
      );
    }
    return accessKey;
  });
  if (accessKeys.length === 0) throw new SeedError("accessKeys must list at least one access key");

  const keys = array(root.keys, "keys").map((entry, i) => {
    const where = `keys[${i}]`;
    const o = object(entry, where);
    const keySpec = text(o.keySpec, `${where}.keySpec`, true);
    if (!isKeySpec(keySpec)) throw new SeedError(`${where}.keySpec "${keySpec}" is not a KMS key spec`);
    const keyUsage = text(o.keyUsage, `${where}.keyUsage`, false) ?? "ENCRYPT/DECRYPT";
    if (!isKeyUsage(keyUsage) || !keySpecFacts[keySpec].usages.includes(keyUsage)) {
      throw new SeedError(`${where}.keyUsage "${keyUsage}" is not valid for ${keySpec}`);
    }
    const key: NewKey & { aliases?: string[] } = {
      keySpec,
      keyUsage,
      keyState:
        o.keyState === undefined ? "Enabled" : oneOf<KeyState>(o.keyState, KEY_STATES, `${where}.keyState`),
      aliases: array(o.aliases, `${where}.aliases`).map((a, j) => {
        const name = text(a, `${where}.aliases[${j}]`, true);
        return name.startsWith("alias/") ? name : `alias/${name}`;
      }),
      versions: array(o.versions, `${where}.versions`).map((v, j) => {
        const version = object(v, `${where}.versions[${j}]`);
        const keyVersionId = text(version.keyVersionId, `${where}.versions[${j}].keyVersionId`, false);
        const privateKeyPem = text(version.privateKeyPem, `${where}.versions[${j}].privateKeyPem`, false);
        return { ...(keyVersionId && { keyVersionId }), ...(privateKeyPem && { privateKeyPem }) };
      }),
    };
    const keyId = text(o.keyId, `${where}.keyId`, false);
    if (keyId) key.keyId = keyId;
    const description = text(o.description, `${where}.description`, false);
    if (description) key.description = description;
    const kmsInstanceId = text(o.kmsInstanceId, `${where}.kmsInstanceId`, false);
    if (kmsInstanceId) key.kmsInstanceId = kmsInstanceId;
    if (o.encryptionAlgorithms !== undefined) {
      key.encryptionAlgorithms = array(o.encryptionAlgorithms, `${where}.encryptionAlgorithms`).map((a, j) =>
        oneOf(a, Object.keys(keySpecFacts[keySpec].encryption), `${where}.encryptionAlgorithms[${j}]`));
    }
    return key;
  });

  const instances = array(root.instances, "instances").map((entry, i): InstanceRecord => {
    const where = `instances[${i}]`;
    const o = object(entry, where);
    const instanceId = text(o.instanceId, `${where}.instanceId`, true);
    if (o.internetAccess !== undefined && typeof o.internetAccess !== "boolean") throw new SeedError(`${where}.internetAccess must be true or false`);
    let refusal: InstanceRecord["refusal"] = { code: "Forbidden.NoPermission", status: 403, message: "This operation is forbidden by permission system." };
    if (o.refusal === "drop") refusal = "drop";
    else if (o.refusal !== undefined) {
      const r = object(o.refusal, `${where}.refusal`);
      const status = r.status ?? 403;
      if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599) {
        throw new SeedError(`${where}.refusal.status must be an HTTP error status`);
      }
      refusal = { code: text(r.code, `${where}.refusal.code`, true), status, message: text(r.message, `${where}.refusal.message`, false) ?? "Access denied." };
    }
    return { instanceId, internetAccess: o.internetAccess ?? true, refusal };
  });

  const certificates = array(root.certificates, "certificates").map((entry, i) => {
    const where = `certificates[${i}]`;
    const o = object(entry, where);
    const keySpec = text(o.keySpec, `${where}.keySpec`, true);
    if (!isCertificateKeySpec(keySpec))
      throw new SeedError(`${where}.keySpec "${keySpec}" is not a certificate key spec`);
    const certificate: NewCertificate = { keySpec };
    const certificateId = text(o.certificateId, `${where}.certificateId`, false);
    if (certificateId) certificate.certificateId = certificateId;
    const subject = text(o.subject, `${where}.subject`, false);
    if (subject) certificate.subject = subject;
    const privateKeyPem = text(o.privateKeyPem, `${where}.privateKeyPem`, false);
    if (privateKeyPem) certificate.privateKeyPem = privateKeyPem;
    const certificatePem = text(o.certificatePem, `${where}.certificatePem`, false);
    if (certificatePem) {
      if (!privateKeyPem) throw new SeedError(`${where}.certificatePem needs its privateKeyPem`);
      certificate.certificatePem = certificatePem;
    }
    if (o.status !== undefined) {
      certificate.status = oneOf<CertificateStatus>(o.status, CERTIFICATE_STATUSES, `${where}.status`);
    }
    return certificate;
  });
  return { accessKeys, keys, certificates, ...(instances.length ? { instances } : {}) };
}

export function readSeedFile(path: string): Seed {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new SeedError(`cannot read seed file ${path}: ${(e as Error).message}`);
  }
  return parseSeed(json);
}

/**
 * Used when no seed is given: one access key, one key of each asymmetric encryption spec, a symmetric
 * key (Aliyun_AES_256), a signing key and a certificate. IDs are fixed up front, so a --data-dir
 * restart reuses the same set.
 */
export function defaultSeed(region: string): Seed {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const random = (n: number) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join("");
  return {
    accessKeys: [{ accessKeyId: `LTAI${random(20)}`, accessKeySecret: random(30) }],
    keys: [
      {
        keyId: newKeyId(region),
        keySpec: "RSA_2048",
        keyUsage: "ENCRYPT/DECRYPT",
        // alias/app-secrets: the name the README and the examples give an RSA key.
        aliases: ["alias/rsa-2048", "alias/app-secrets"],
      },
      {
        keyId: newKeyId(region),
        keySpec: "RSA_3072",
        keyUsage: "ENCRYPT/DECRYPT",
        aliases: ["alias/rsa-3072"],
      },
      { keyId: newKeyId(region), keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/sm2", "alias/sm2-secrets"] },
      { keyId: newKeyId(region), keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/aes-256", "alias/billing"] },
      { keyId: newKeyId(region), keySpec: "RSA_2048", keyUsage: "SIGN/VERIFY", aliases: ["alias/rsa-sign"] },
    ],
    certificates: [
      {
        certificateId: randomUUID(),
        keySpec: "RSA_2048",
        subject: "CN=emulator-certificate, O=KMS Emulator, C=CN",
      },
    ],
  };
}

/** Creates what the seed lists, skipping keys, aliases and certificates already restored from --data-dir. */
export function applySeed(store: KeyStore, seed: Seed): void {
  for (const instance of seed.instances ?? []) store.describeInstance(instance);
  for (const { aliases = [], ...key } of seed.keys) {
    const record = key.keyId && store.hasKey(key.keyId) ? store.resolveKey(key.keyId) : store.createKey(key);
    for (const alias of aliases) if (!store.hasAlias(alias)) store.createAlias(alias, record);
  }
  for (const certificate of seed.certificates) {
    if (!certificate.certificateId || !store.hasCertificate(certificate.certificateId))
      store.createCertificate(certificate);
  }
}

import { randomBytes, randomUUID } from "node:crypto";
import { certifiedSpki, issueSelfSigned } from "../certificates/x509";
import { errors } from "../errors";
import {
  type AsymmetricKey,
  generatePrivateKeyPem,
  generateSymmetricMaterial,
  isSymmetric,
  loadAsymmetricKey,
} from "../keys/key-material";
import type { CertificateKeySpec, KeySpec, KeyUsage } from "../keys/key-spec";
import {
  type AliasRecord,
  type CertificateRecord,
  type CertificateStatus,
  type InstanceRecord,
  isoNow,
  type KeyRecord,
  type KeyState,
  type KeyVersionRecord,
  type StoreState,
} from "./records";

/** Told of every change, so persistence and --keys-dir compose with the store instead of living in it. */
export interface StoreObserver {
  keyVersionAdded?(key: KeyRecord, version: KeyVersionRecord): void;
  certificateAdded?(certificate: CertificateRecord): void;
  changed?(): void;
}

export interface NewKey {
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  keyId?: string;
  keyState?: KeyState;
  description?: string;
  protectionLevel?: "SOFTWARE" | "HSM";
  /** Versions to create, oldest first; material is generated where none is given. */
  versions?: { keyVersionId?: string; privateKeyPem?: string }[];
  /** The KMS instance it lives in (see InstanceRecord). */
  kmsInstanceId?: string;
  /** See KeyRecord.encryptionAlgorithms. */
  encryptionAlgorithms?: string[];
}

export interface NewCertificate {
  keySpec: CertificateKeySpec;
  certificateId?: string;
  subject?: string;
  status?: CertificateStatus;
  privateKeyPem?: string;
  certificatePem?: string;
}

const regionCodes: Record<string, string> = {
  "cn-hangzhou": "hzz",
  "cn-shanghai": "shh",
  "cn-beijing": "bjj",
};
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomId(length: number): string {
  return [...randomBytes(length)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

/** Key IDs as KMS makes them: `key-` + a region code + 17 random characters. */
export function newKeyId(region: string): string {
  return `key-${regionCodes[region] ?? "emu"}${randomId(17)}`;
}

export class KeyStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly aliases = new Map<string, AliasRecord>();
  private readonly certificates = new Map<string, CertificateRecord>();
  /** From the seed at every start (not persisted): how each KMS instance answers. */
  private readonly instances = new Map<string, InstanceRecord>();
  /** Parsed key material, by key version ID or certificate ID: PEM parsing is not free. */
  private readonly parsed = new Map<string, AsymmetricKey>();
  private readonly observers: StoreObserver[] = [];

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  observe(observer: StoreObserver): void {
    this.observers.push(observer);
  }

  // --- naming -------------------------------------------------------------------------------

  keyArn(keyId: string): string {
    return `acs:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(aliasName: string): string {
    return `acs:kms:${this.region}:${this.accountId}:${aliasName}`;
  }

  certificateArn(certificateId: string): string {
    return `acs:kms:${this.region}:${this.accountId}:certificate/${certificateId}`;
  }

  // --- resolve -------------------------------------------------------------------------------

  /** A key by ID, `alias/<name>`, or key/alias ARN of this region and account. */
  resolveKey(reference: string): KeyRecord {
    let ref = reference;
    if (ref.startsWith("acs:")) {
      const [scheme, service, region, account, resource] = ref.split(":");
      if (scheme !== "acs" || service !== "kms" || resource === undefined)
        throw errors.invalidParameter("KeyId", "Malformed ARN.");
      // An ARN of another region or account names a key this endpoint does not hold.
      if (region !== this.region || account !== this.accountId) throw errors.keyNotFound();
      ref = resource.startsWith("key/") ? resource.slice("key/".length) : resource;
    }
    if (ref.startsWith("alias/")) {
      const alias = this.aliases.get(ref);
      if (!alias) throw errors.aliasNotFound();
      ref = alias.keyId;
    }
    const key = this.keys.get(ref);
    if (!key) throw errors.keyNotFound();
    return key;
  }

  version(key: KeyRecord, keyVersionId: string): KeyVersionRecord {
    const version = key.versions.find((v) => v.keyVersionId === keyVersionId);
    if (!version) throw errors.keyVersionNotFound();
    return version;
  }

  primaryVersion(key: KeyRecord): KeyVersionRecord {
    const primary = key.versions.at(-1);
    if (!primary) throw errors.internal();
    return primary;
  }

  asymmetricKey(key: KeyRecord, version: KeyVersionRecord): AsymmetricKey {
    return this.parse(version.keyVersionId, version.privateKeyPem, key.keySpec);
  }

  /** The instance a key lives in; one the seed does not describe has Internet access. */
  instance(instanceId: string): InstanceRecord {
    return this.instances.get(instanceId) ?? { instanceId, internetAccess: true, refusal: "drop" };
  }

  certificate(certificateId: string): CertificateRecord {
    const certificate = this.certificates.get(certificateId);
    if (!certificate) throw errors.certificateNotFound();
    return certificate;
  }

  certificateKey(certificate: CertificateRecord): AsymmetricKey {
    return this.parse(certificate.certificateId, certificate.privateKeyPem, certificate.keySpec);
  }

  private parse(id: string, pem: string | undefined, spec: KeySpec): AsymmetricKey {
    let key = this.parsed.get(id);
    if (!key) {
      if (!pem) throw errors.internal();
      key = loadAsymmetricKey(pem, spec);
      this.parsed.set(id, key);
    }
    return key;
  }

  // --- list ----------------------------------------------------------------------------------

  allKeys(): KeyRecord[] {
    return [...this.keys.values()];
  }

  allAliases(): AliasRecord[] {
    return [...this.aliases.values()];
  }

  aliasesOf(keyId: string): AliasRecord[] {
    return this.allAliases().filter((a) => a.keyId === keyId);
  }

  allCertificates(): CertificateRecord[] {
    return [...this.certificates.values()];
  }

  /** What an operator trying the emulator needs to name: each key with its aliases, each certificate. */
  inventory(): { keys: Record<string, unknown>[]; certificates: Record<string, unknown>[] } {
    return {
      keys: this.allKeys().map((k) => ({
        KeyId: k.keyId, KeySpec: k.keySpec, KeyUsage: k.keyUsage, KeyState: k.keyState,
        Aliases: this.aliasesOf(k.keyId).map((a) => a.aliasName),
      })),
      certificates: this.allCertificates().map((c) => ({ CertificateId: c.certificateId, KeySpec: c.keySpec })),
    };
  }

  // --- mutate --------------------------------------------------------------------------------

  createKey(spec: NewKey): KeyRecord {
    const keyId = spec.keyId ?? newKeyId(this.region);
    if (this.keys.has(keyId)) throw errors.invalidParameter("KeyId", `The key ${keyId} already exists.`);
    const key: KeyRecord = {
      keyId,
      keySpec: spec.keySpec,
      keyUsage: spec.keyUsage,
      keyState: spec.keyState ?? "Enabled",
      description: spec.description ?? "",
      protectionLevel: spec.protectionLevel ?? "SOFTWARE",
      creationDate: isoNow(),
      versions: [],
      ...(spec.kmsInstanceId ? { kmsInstanceId: spec.kmsInstanceId } : {}),
      ...(spec.encryptionAlgorithms ? { encryptionAlgorithms: spec.encryptionAlgorithms } : {}),
    };
    const versions = spec.versions?.length ? spec.versions : [{}];
    const built = versions.map((v) => this.buildVersion(key, v.keyVersionId, v.privateKeyPem));
    this.keys.set(keyId, key);
    for (const version of built) this.appendVersion(key, version);
    this.changed();
    return key;
  }

  describeInstance(instance: InstanceRecord): void {
    this.instances.set(instance.instanceId, instance);
  }

  createKeyVersion(key: KeyRecord): KeyVersionRecord {
    const version = this.buildVersion(key);
    this.appendVersion(key, version);
    this.changed();
    return version;
  }

  createAlias(aliasName: string, key: KeyRecord): AliasRecord {
    if (this.aliases.has(aliasName)) throw errors.aliasAlreadyExists();
    const alias = { aliasName, keyId: key.keyId };
    this.aliases.set(aliasName, alias);
    this.changed();
    return alias;
  }

  updateAlias(aliasName: string, key: KeyRecord): void {
    const alias = this.aliases.get(aliasName);
    if (!alias) throw errors.aliasNotFound();
    alias.keyId = key.keyId;
    this.changed();
  }

  setKeyState(key: KeyRecord, state: KeyState, deleteDate?: string): void {
    key.keyState = state;
    if (deleteDate === undefined) delete key.deleteDate;
    else key.deleteDate = deleteDate;
    this.changed();
  }

  createCertificate(spec: NewCertificate): CertificateRecord {
    const certificateId = spec.certificateId ?? randomUUID();
    if (this.certificates.has(certificateId)) {
      throw errors.invalidParameter("CertificateId", `The certificate ${certificateId} already exists.`);
    }
    const privateKeyPem = spec.privateKeyPem ?? generatePrivateKeyPem(spec.keySpec);
    const key = loadAsymmetricKey(privateKeyPem, spec.keySpec);
    let certificatePem = spec.certificatePem;
    let csrPem = "";
    if (certificatePem) {
      if (!certifiedSpki(certificatePem).equals(key.spki)) {
        throw new Error(`certificate ${certificateId}: certificatePem does not certify privateKeyPem`);
      }
    } else {
      const now = new Date();
      const issued = issueSelfSigned({
        key,
        keySpec: spec.keySpec,
        subject: spec.subject ?? `CN=${certificateId}, O=KMS Emulator, C=CN`,
        notBefore: new Date(now.getTime() - 60_000),
        notAfter: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
      });
      certificatePem = issued.certificatePem;
      csrPem = issued.csrPem;
    }
    const certificate: CertificateRecord = {
      certificateId,
      keySpec: spec.keySpec,
      status: spec.status ?? "ACTIVE",
      privateKeyPem: key.privateKeyPem,
      certificatePem,
      csrPem,
      createdAt: isoNow(),
    };
    this.certificates.set(certificateId, certificate);
    this.parsed.set(certificateId, key);
    for (const o of this.observers) o.certificateAdded?.(certificate);
    this.changed();
    return certificate;
  }

  // --- persistence ---------------------------------------------------------------------------

  snapshot(): StoreState {
    return structuredClone({
      keys: this.allKeys(),
      aliases: this.allAliases(),
      certificates: [...this.certificates.values()],
    });
  }

  /** Loads a snapshot (state from --data-dir); observers are told of all its key material. */
  restore(state: StoreState): void {
    for (const record of state.keys) {
      const key = { ...record, versions: [] as KeyVersionRecord[] };
      this.keys.set(key.keyId, key);
      for (const version of record.versions) this.appendVersion(key, version);
    }
    for (const alias of state.aliases) this.aliases.set(alias.aliasName, alias);
    for (const certificate of state.certificates) {
      this.certificates.set(certificate.certificateId, certificate);
      for (const o of this.observers) o.certificateAdded?.(certificate);
    }
  }

  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  hasAlias(aliasName: string): boolean {
    return this.aliases.has(aliasName);
  }

  hasCertificate(certificateId: string): boolean {
    return this.certificates.has(certificateId);
  }

  private buildVersion(key: KeyRecord, keyVersionId?: string, privateKeyPem?: string): KeyVersionRecord {
    const version: KeyVersionRecord = { keyVersionId: keyVersionId ?? randomUUID(), creationDate: isoNow() };
    if (isSymmetric(key.keySpec)) {
      version.symmetricMaterial = generateSymmetricMaterial(key.keySpec);
    } else {
      const material = loadAsymmetricKey(privateKeyPem ?? generatePrivateKeyPem(key.keySpec), key.keySpec);
      version.privateKeyPem = material.privateKeyPem;
      this.parsed.set(version.keyVersionId, material);
    }
    return version;
  }

  private appendVersion(key: KeyRecord, version: KeyVersionRecord): void {
    key.versions.push(version);
    for (const o of this.observers) o.keyVersionAdded?.(key, version);
  }

  private changed(): void {
    for (const o of this.observers) o.changed?.();
  }
}

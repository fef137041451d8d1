import type { CertificateKeySpec, KeySpec, KeyUsage } from "../keys/key-spec";

// The emulator's persistent state, as plain JSON-serialisable records.

export const KEY_STATES = ["Enabled", "Disabled", "PendingDeletion", "PendingImport"] as const;
export type KeyState = (typeof KEY_STATES)[number];

export const CERTIFICATE_STATUSES = ["PENDING", "ACTIVE", "INACTIVE", "REVOKED"] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export interface KeyVersionRecord {
  keyVersionId: string;
  creationDate: string;
  /** Asymmetric specs: PKCS#8 PEM. */
  privateKeyPem?: string;
  /** Symmetric specs: opaque base64 material. */
  symmetricMaterial?: string;
}

export interface KeyRecord {
  keyId: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  keyState: KeyState;
  description: string;
  protectionLevel: "SOFTWARE" | "HSM";
  creationDate: string;
  deleteDate?: string;
  /** Oldest first; the last one is the primary version. */
  versions: KeyVersionRecord[];
  /** The KMS instance (kst-…) the key lives in (KMS 3.0), reported as DKMSInstanceId. */
  kmsInstanceId?: string;
  /**
   * Test knob: the only algorithms this key accepts, though its spec allows more (a key that
   * refuses what the reference says it takes). Absent: every algorithm of the spec.
   */
  encryptionAlgorithms?: string[];
}

/**
 * A KMS instance. Without Internet access its keys' cryptographic calls are refused through the
 * public gateway (kms.<region>.aliyuncs.com) and served through the VPC gateway; Describe* and List*
 * work through both. How the refusal looks is undocumented: an error answer, or no answer at all.
 */
export interface InstanceRecord {
  instanceId: string;
  internetAccess: boolean;
  refusal: { code: string; status: number; message: string } | "drop";
}

export interface AliasRecord {
  aliasName: string;
  keyId: string;
}

export interface CertificateRecord {
  certificateId: string;
  keySpec: CertificateKeySpec;
  status: CertificateStatus;
  privateKeyPem: string;
  certificatePem: string;
  csrPem: string;
  createdAt: string;
}

export interface StoreState {
  keys: KeyRecord[];
  aliases: AliasRecord[];
  certificates: CertificateRecord[];
}

/** KMS timestamps: ISO 8601 in UTC without milliseconds. */
export function isoNow(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d+Z$/, "Z");
}

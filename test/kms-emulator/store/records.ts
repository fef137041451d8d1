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

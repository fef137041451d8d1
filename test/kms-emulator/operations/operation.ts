import type { Caller } from "../protocol/authenticate";
import type { Params } from "../protocol/params";
import type { KeyStore } from "../store/key-store";

export type ResponseBody = Record<string, unknown>;

/**
 * Behaviour switches: where the real service's answer is undocumented, each plausible shape, so
 * clients can be tested against all of them; elsewhere only what tests need to differ.
 */
export interface Behaviour {
  /** Real KMS refuses a new key version within 7 days of the last; 0 (the default) lifts that rule. */
  minRotationIntervalMs: number;
  /**
   * DescribeKey's PrimaryKeyVersion for an asymmetric key. The reference documents it for symmetric
   * keys only: "present" (the default), "absent" (no field) or "empty" ("").
   */
  asymmetricPrimaryKeyVersion: "present" | "absent" | "empty";
  /** DryRun refusals: "with-code" ("Rejected.Disabled: …" inside the message, the default) or "bare" (a sentence only). */
  dryRunMessages: "with-code" | "bare";
  /** An unknown key version: the documented Forbidden.KeyVersionNotFound (default) or the older Forbidden.ResourceNotFound. */
  keyVersionNotFoundCode: "Forbidden.KeyVersionNotFound" | "Forbidden.ResourceNotFound";
  /**
   * Certificates Manager's API (DescribeCertificate, GetCertificate, CertificatePublicKeyEncrypt,
   * CertificatePrivateKeyDecrypt): "served" (default), or "absent" as where a region or account
   * lacks it (the newest Python SDK has dropped the actions): InvalidAction.NotFound.
   */
  certificateApi: "served" | "absent";
  /**
   * The key version Encrypt uses for a symmetric key: "primary" (the Encrypt reference, the
   * default) or "initial" (the AdvanceEncrypt page says Encrypt keeps the key's first version).
   */
  symmetricEncryptVersion: "primary" | "initial";
  /**
   * How Decrypt compares the EncryptionContext with Encrypt's: "equivalent" (as maps, keys in any
   * order: the reference's "an equivalent value", the default) or "exact" (the same JSON text).
   */
  encryptionContextMatch: "equivalent" | "exact";
}

export const defaultBehaviour: Behaviour = {
  minRotationIntervalMs: 0,
  asymmetricPrimaryKeyVersion: "present",
  dryRunMessages: "with-code",
  keyVersionNotFoundCode: "Forbidden.KeyVersionNotFound",
  certificateApi: "served",
  symmetricEncryptVersion: "primary",
  encryptionContextMatch: "equivalent",
};

/** Which face of KMS a request came through: the public gateway, or the VPC one. */
export type Gateway = "public" | "vpc";

export interface OperationContext {
  store: KeyStore;
  params: Params;
  caller: Caller;
  behaviour: Behaviour;
  gateway: Gateway;
}

/**
 * One API action. `prepare` resolves, loads and validates (throwing KmsErrors); it returns `act`,
 * which changes state or computes, and builds the response. A dry run stops between the two.
 */
export interface Operation {
  action: string;
  acceptsDryRun?: boolean;
  prepare(context: OperationContext): () => ResponseBody;
}

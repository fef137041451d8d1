import * as pulumi from "@pulumi/pulumi";
import type { ChangeDetection, EncryptionAlgorithm, EncryptionContext } from "./encryption-algorithm";

/** The target inputs EncryptedValue and EncryptedValues share (their Args document each). */
export interface KmsTargetArgs {
  keyId?: pulumi.Input<string>;
  certificateId?: pulumi.Input<string>;
  algorithm?: pulumi.Input<EncryptionAlgorithm>;
  keyVersionId?: pulumi.Input<string>;
  changeDetection?: pulumi.Input<ChangeDetection>;
  encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * What {@link EncryptedValue} and {@link EncryptedValues} share: the key or certificate their
 * ciphertexts are under, as KMS resolved it, and whether it can still decrypt them.
 */
export abstract class KmsTargetResource extends pulumi.CustomResource {
  /** The key's own ID (aliases and ARNs resolved); "" for certificates. */
  declare public readonly keyId: pulumi.Output<string>;
  /** The key version the ciphertexts were made with; "" for certificates. */
  declare public readonly keyVersionId: pulumi.Output<string>;
  /**
   * The KMS instance (`kst-…`) the key lives in (KMS 3.0); "" for a key outside one and for
   * certificates. Its cryptographic calls need the instance's Internet access, or the VPC endpoint.
   */
  declare public readonly kmsInstanceId: pulumi.Output<string>;
  /** The certificate used (CertificatePublicKeyEncrypt); "" for keys. */
  declare public readonly certificateId: pulumi.Output<string>;
  /** The algorithm used, e.g. RSAES_OAEP_SHA_256. */
  declare public readonly algorithm: pulumi.Output<EncryptionAlgorithm>;
  /** The key or certificate spec: RSA_2048, RSA_3072 or EC_SM2. */
  declare public readonly keySpec: pulumi.Output<string>;
  /** The region the KMS calls went to. */
  declare public readonly region: pulumi.Output<string>;
  /** How plaintext changes are noticed: `"digest"` or `"trigger"`. */
  declare public readonly changeDetection: pulumi.Output<ChangeDetection>;
  /** A symmetric key's encryption context ({} for none): Decrypt needs it again; the envelope carries it. */
  declare public readonly encryptionContext: pulumi.Output<EncryptionContext>;
  /** Set by `pulumi refresh` when the key, version or certificate can no longer decrypt; "" otherwise. */
  declare public readonly staleReason: pulumi.Output<string>;
}

/** The properties to register for the target: the inputs that are outputs too, and the outputs only. */
export function kmsTargetProperties(args: KmsTargetArgs): Record<string, unknown> {
  return {
    keyId: args.keyId,
    certificateId: args.certificateId,
    algorithm: args.algorithm,
    keyVersionId: args.keyVersionId,
    changeDetection: args.changeDetection,
    encryptionContext: args.encryptionContext,
    keySpec: undefined,
    kmsInstanceId: undefined,
    region: undefined,
    staleReason: undefined,
  };
}

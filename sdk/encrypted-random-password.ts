import * as pulumi from "@pulumi/pulumi";
import { ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE, ENCRYPTED_RANDOM_PASSWORD_TYPE } from "./provider-module-source";
import { warnOnDefaultDynamicProvider } from "./default-provider-warning";
import { pauseStackTraces } from "./promise-stack-traces";
import { encryptedValueProvider } from "./provider-resource";
import { stackIntegrityKey } from "./integrity-key";
import type { EncryptionAlgorithm, EnvelopeFormat } from "./encryption-algorithm";
import { kmsTargetProperties, KmsTargetResource, type RecipientArgs } from "./kms-target-resource";

/**
 * The inputs of an {@link EncryptedRandomPassword}: the policy, named as `random.RandomPassword`
 * names it (a program switches by changing the type), and the key as for an EncryptedValue.
 */
export interface EncryptedRandomPasswordArgs {
  /** The password's length in characters (1–1024). */
  length: pulumi.Input<number>;
  /** Include lowercase letters. Default true. */
  lower?: pulumi.Input<boolean>;
  /** Include uppercase letters. Default true. */
  upper?: pulumi.Input<boolean>;
  /** Include digits. Default true. */
  numeric?: pulumi.Input<boolean>;
  /** Include special characters (`!@#$%&*()-_=+[]{}<>:?`, or `overrideSpecial`). Default true. */
  special?: pulumi.Input<boolean>;
  /** At least this many lowercase letters. Default 0. */
  minLower?: pulumi.Input<number>;
  /** At least this many uppercase letters. Default 0. */
  minUpper?: pulumi.Input<number>;
  /** At least this many digits. Default 0. */
  minNumeric?: pulumi.Input<number>;
  /** At least this many special characters. Default 0. */
  minSpecial?: pulumi.Input<number>;
  /** The special characters to draw from instead of the default set (printable ASCII, no spaces). */
  overrideSpecial?: pulumi.Input<string>;
  /**
   * `"rds"`: the password must be one an ApsaraDB RDS account takes (8–32 characters, three classes
   * at least, special characters among `!@#$&%^*()_+-=`, which are then the default set). Every class
   * that is on draws at least one character unless its minimum says otherwise; a policy that cannot
   * give such a password is refused at preview.
   */
  profile?: pulumi.Input<"rds">;
  /**
   * Any values; changing one draws a new password (the resource is replaced), as for
   * `random.RandomPassword`. State keeps only a keyed digest of them, so secret keepers stay secret.
   */
  keepers?: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
  /**
   * Adopt a password that exists instead of drawing one: a KMS ciphertext of it (e.g.
   * `alicloud.kms.Ciphertext`'s `ciphertextBlob`, which `kmsEncryptedPassword` already takes), moved
   * under this resource's key at create (ReEncrypt for a symmetric key's direct value, else decrypted
   * by the provider with `kms:Decrypt` and encrypted again). Read at create only; remove it before
   * changing `keepers` to draw a password no one has seen.
   */
  adoptCiphertextBlob?: pulumi.Input<string>;
  /** The encryption context `adoptCiphertextBlob` was made with. */
  adoptEncryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The ENCRYPT/DECRYPT key, as for EncryptedValue. A symmetric key (Aliyun_AES_256, Aliyun_SM4)
   * gives the `ciphertextBlob` that `kmsEncryptedPassword` takes, and a key rotation moves it to the
   * new version with ReEncrypt, the password never leaving KMS.
   */
  keyId?: pulumi.Input<string>;
  /** A KMS-managed certificate to encrypt with, as for EncryptedValue. */
  certificateId?: pulumi.Input<string>;
  /** As for EncryptedValue. */
  algorithm?: pulumi.Input<EncryptionAlgorithm>;
  /** Pin a key version; omitted, the password follows the key's primary version. */
  keyVersionId?: pulumi.Input<string>;
  /** Symmetric keys only: the encryption context, never a secret (`kmsEncryptionContext` takes the same). */
  encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Encrypt with the public key in the provider (asymmetric keys and certificates), as for EncryptedValue. */
  encryptLocally?: pulumi.Input<boolean>;
  /** Envelope encryption, as for EncryptedValue. */
  envelope?: pulumi.Input<boolean>;
  /** Several recipients, as for EncryptedValue. */
  recipients?: pulumi.Input<pulumi.Input<RecipientArgs>[]>;
  /** `"native"` (default) or `"encryption-sdk"`, as for EncryptedValue. */
  envelopeFormat?: pulumi.Input<EnvelopeFormat>;
}

/** Inputs that are never outputs. */
const INPUT_ONLY_PROPERTIES = [
  "valueUrn", "stackIntegrityKey", "keepers", "encryptLocally", "adoptCiphertextBlob", "adoptEncryptionContext",
] as const;

/**
 * A password no one ever sees: drawn by the provider at create from the operating system's CSPRNG,
 * encrypted at once by Alibaba Cloud KMS, and dropped. State keeps the ciphertext and nothing the
 * password can be recovered from, not even as a Pulumi secret; hand `ciphertextBlob` to
 * `kmsEncryptedPassword` (symmetric key), or `envelope` to an application's `decrypt()`. A key
 * rotation keeps the password; a change of `keepers` or of the policy draws a new one.
 */
export class EncryptedRandomPassword extends KmsTargetResource {
  /** KMS's ciphertext of the password, base64 (with a symmetric key: what `kmsEncryptedPassword` takes). */
  declare public readonly ciphertextBlob: pulumi.Output<string>;
  /** The password's envelope: `decrypt()` opens it, with nothing else to pass. */
  declare public readonly envelope: pulumi.Output<string>;
  /** 1 when the password was drawn; a new resource (and 1 again) when keepers or the policy change. */
  declare public readonly plaintextRevision: pulumi.Output<number>;
  /** The password's length, as the policy gave it. */
  declare public readonly length: pulumi.Output<number>;

  constructor(name: string, args: EncryptedRandomPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    const resumeStackTraces = pauseStackTraces();
    try {
      warnOnDefaultDynamicProvider();
      const valueUrn = pulumi.createUrn(name, ENCRYPTED_RANDOM_PASSWORD_TYPE, opts?.parent);
      const props: Record<string, unknown> = {
        length: args.length,
        lower: args.lower,
        upper: args.upper,
        numeric: args.numeric,
        special: args.special,
        minLower: args.minLower,
        minUpper: args.minUpper,
        minNumeric: args.minNumeric,
        minSpecial: args.minSpecial,
        overrideSpecial: args.overrideSpecial,
        profile: args.profile,
        ...(args.keepers !== undefined ? { keepers: pulumi.secret(args.keepers) } : {}),
        ...(args.adoptCiphertextBlob !== undefined ? { adoptCiphertextBlob: args.adoptCiphertextBlob } : {}),
        ...(args.adoptEncryptionContext !== undefined ? { adoptEncryptionContext: args.adoptEncryptionContext } : {}),
        ...(args.encryptLocally !== undefined ? { encryptLocally: args.encryptLocally } : {}),
        valueUrn,
        stackIntegrityKey: stackIntegrityKey(),
        envelope: args.envelope,
        ...kmsTargetProperties(args),
        ciphertextBlob: undefined,
        plaintextRevision: undefined,
        __provider: ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE,
      };
      super(ENCRYPTED_RANDOM_PASSWORD_TYPE, name, props, { ...opts, provider: opts?.provider ?? encryptedValueProvider() });
    } finally {
      resumeStackTraces();
    }
    for (const property of INPUT_ONLY_PROPERTIES) delete (this as Record<string, unknown>)[property];
  }
}

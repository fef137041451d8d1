import * as pulumi from "@pulumi/pulumi";
import { secretContextReason } from "../provider/toolkit";
import type {
  ChangeDetection, EncryptionAlgorithm, EncryptionContext, EnvelopeFormat, PlaintextEncoding, Recipient,
} from "./encryption-algorithm";

/**
 * One recipient of an envelope of several: a key (asymmetric, or symmetric with its own context),
 * in any region its ARN names, or a certificate. Any recipient alone can decrypt the value.
 */
export interface RecipientArgs {
  /** A key ID, `alias/<name>`, or an ARN `acs:kms:<region>:<account>:key/<id>` (its region is the recipient's). */
  keyId?: pulumi.Input<string>;
  /** A KMS-managed certificate (in the configured region). */
  certificateId?: pulumi.Input<string>;
  /** Default by key spec, as for EncryptedValue. */
  algorithm?: pulumi.Input<EncryptionAlgorithm>;
  /** Pin this recipient's key version (asymmetric keys only). */
  keyVersionId?: pulumi.Input<string>;
  /** A symmetric key's encryption context. */
  encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The target inputs EncryptedValue and EncryptedValues share (their Args document each). */
export interface KmsTargetArgs {
  keyId?: pulumi.Input<string>;
  certificateId?: pulumi.Input<string>;
  algorithm?: pulumi.Input<EncryptionAlgorithm>;
  keyVersionId?: pulumi.Input<string>;
  changeDetection?: pulumi.Input<ChangeDetection>;
  encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  recipients?: pulumi.Input<pulumi.Input<RecipientArgs>[]>;
  envelopeFormat?: pulumi.Input<EnvelopeFormat>;
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
  /**
   * With `recipients`: each one as resolved (key ID, version, region, …), in order; the target
   * outputs (`keyId`, `region`, …) describe the first. `[]` for one key or certificate.
   */
  declare public readonly recipients: pulumi.Output<Recipient[]>;
  /**
   * How the `Plaintext` that KMS's Decrypt (or AsymmetricDecrypt, CertificatePrivateKeyDecrypt)
   * returns for `ciphertextBlob` carries it: `"text"`, the secret itself (a symmetric key without
   * envelope encryption: what `kmsEncryptedPassword` and every KMS client read); `"base64"`, base64
   * of the bytes (asymmetric keys and certificates; with envelope encryption, of the data key).
   */
  declare public readonly plaintextEncoding: pulumi.Output<PlaintextEncoding>;
  /** The format of the `envelope` output: `"native"`, or `"encryption-sdk"` (Alibaba's Encryption SDK message). */
  declare public readonly envelopeFormat: pulumi.Output<EnvelopeFormat>;
  /** Set by `pulumi refresh` when the key, version or certificate can no longer decrypt; "" otherwise. */
  declare public readonly staleReason: pulumi.Output<string>;
}

type ContextInput = pulumi.Input<Record<string, pulumi.Input<string>>>;

/**
 * An encryption context, refused before registration when it, or anything in it, is a secret. The
 * context is stored in state and in every envelope as plain text, and the Node dynamic-provider
 * host declares no secret support, so the engine strips the marker before the provider could see
 * it: the refusal has to happen here. The program fails with our sentence, no stack trace.
 */
function publicContext(context: ContextInput | undefined, property: string): pulumi.Output<Record<string, string>> | undefined {
  if (context === undefined) return undefined;
  const whole = pulumi.output(context) as pulumi.Output<Record<string, string>>;
  const checked = pulumi.isSecret(whole).then((secret) => {
    if (secret) throw secretContextError(property);
    return true;
  });
  return pulumi.output(checked).apply(() => whole);
}

function secretContextError(property: string): pulumi.RunError {
  return new pulumi.RunError(secretContextReason(property));
}

/**
 * Each recipient with its context checked as publicContext does, by position. A list given as a
 * Promise is checked so once it resolves. A recipient, or the whole list, given as an Output can
 * only be judged whole (an Output's value holds no Outputs): a secret one with a context is refused
 * as a secret context.
 */
function publicRecipients(recipients: KmsTargetArgs["recipients"]): KmsTargetArgs["recipients"] {
  if (recipients instanceof Promise) {
    return pulumi.output(recipients.then((list) => publicRecipients(list))) as KmsTargetArgs["recipients"];
  }
  if (pulumi.Output.isInstance(recipients)) {
    const whole = recipients as pulumi.Output<RecipientArgs[]>;
    return pulumi.all([whole, pulumi.isSecret(whole)]).apply(([list, secret]) => {
      const i = secret && Array.isArray(list) ? list.findIndex((r) => r?.encryptionContext !== undefined) : -1;
      if (i >= 0) throw secretContextError(`recipients[${i}].encryptionContext`);
      return list;
    }) as KmsTargetArgs["recipients"];
  }
  if (!Array.isArray(recipients)) return recipients;
  return recipients.map((r: pulumi.Input<RecipientArgs>, i): pulumi.Input<RecipientArgs> => {
    const property = `recipients[${i}].encryptionContext`;
    if (pulumi.Output.isInstance(r) || r instanceof Promise) {
      const whole = pulumi.output(r) as pulumi.Output<RecipientArgs>;
      return pulumi.all([whole, publicContext(whole.apply((x) => x.encryptionContext ?? {}) as ContextInput, property)])
        .apply(([x]) => x) as pulumi.Output<RecipientArgs>;
    }
    return { ...r, encryptionContext: publicContext(r.encryptionContext, property) };
  });
}

/** The properties to register for the target: the inputs that are outputs too, and the outputs only. */
export function kmsTargetProperties(args: KmsTargetArgs): Record<string, unknown> {
  return {
    keyId: args.keyId,
    certificateId: args.certificateId,
    algorithm: args.algorithm,
    keyVersionId: args.keyVersionId,
    changeDetection: args.changeDetection,
    encryptionContext: publicContext(args.encryptionContext, "encryptionContext"),
    recipients: publicRecipients(args.recipients),
    envelopeFormat: args.envelopeFormat,
    keySpec: undefined,
    kmsInstanceId: undefined,
    region: undefined,
    plaintextEncoding: undefined,
    staleReason: undefined,
  };
}

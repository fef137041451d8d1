import * as pulumi from "@pulumi/pulumi";
import { plaintextDigestInput } from "./plaintext-digest-input";
import { ENCRYPTED_VALUE_TYPE, PROVIDER_MODULE_SOURCE } from "./provider-module-source";
import { warnOnDefaultDynamicProvider } from "./default-provider-warning";
import { pauseStackTraces } from "./promise-stack-traces";
import { encryptedValueProvider } from "./provider-resource";
import { stackIntegrityKey } from "./integrity-key";
import { warnedUnlessSecret } from "./plaintext-secrecy";

import type { ChangeDetection, EncryptionAlgorithm, EnvelopeFormat } from "./encryption-algorithm";
import { kmsTargetProperties, KmsTargetResource, type RecipientArgs } from "./kms-target-resource";
import { envelopeOfOutputs } from "../provider/toolkit";

export type { ChangeDetection, EncryptionAlgorithm };

/** The inputs of an {@link EncryptedValue}. */
export interface EncryptedValueArgs {
  /**
   * The secret to encrypt, as UTF-8 text. It is sent to the provider as a Pulumi secret and never
   * stored in state. Set exactly one of `plaintext` and `plaintextBase64`.
   */
  plaintext?: pulumi.Input<string>;
  /** The secret to encrypt, as base64-encoded bytes (for binary data). Never stored in state. */
  plaintextBase64?: pulumi.Input<string>;
  /**
   * The ENCRYPT/DECRYPT key: asymmetric (RSA_2048, RSA_3072 or EC_SM2; AsymmetricEncrypt) or
   * symmetric (Aliyun_AES_256 or Aliyun_SM4; Encrypt): its ID, `alias/<name>` or ARN
   * `acs:kms:<region>:<account>:key/<id>` (the ARN's region wins over the configured one).
   * Set exactly one of `keyId` and `certificateId`.
   */
  keyId?: pulumi.Input<string>;
  /** A KMS-managed certificate to encrypt with (CertificatePublicKeyEncrypt); it must be ACTIVE. */
  certificateId?: pulumi.Input<string>;
  /**
   * `RSAES_OAEP_SHA_256` or `RSAES_OAEP_SHA_1` for RSA keys, `SM2PKE` for EC_SM2 keys,
   * `SYMMETRIC_DEFAULT` for symmetric keys. Default: `RSAES_OAEP_SHA_256` for RSA, `SM2PKE` for
   * EC_SM2, `SYMMETRIC_DEFAULT` for Aliyun_AES_256 and Aliyun_SM4.
   */
  algorithm?: pulumi.Input<EncryptionAlgorithm>;
  /**
   * Pin a key version. Omitted, the key's primary version is looked up at every preview and up,
   * and the value is re-encrypted when the key rotates.
   */
  keyVersionId?: pulumi.Input<string>;
  /**
   * `"digest"` (default): a salted scrypt digest of the plaintext, kept only among the resource's
   * inputs in state, as a secret, detects changes. `"trigger"`: no digest at all (for the most
   * sensitive low-entropy values); the value is re-encrypted only when `trigger` (or the key,
   * version or algorithm) changes.
   */
  changeDetection?: pulumi.Input<ChangeDetection>;
  /**
   * Any string; changing it re-encrypts. Required with `changeDetection: "trigger"`. Kept among the
   * inputs in state (a secret if you pass one), never as an output.
   */
  trigger?: pulumi.Input<string>;
  /**
   * Encrypt in the provider process with the key version's public key (one `GetPublicKey` per key
   * version per deployment; for a certificate, the public key `DescribeCertificate` returns)
   * instead of one `AsymmetricEncrypt` / `CertificatePublicKeyEncrypt` call per value. The
   * ciphertext is the same kind KMS makes and decrypts the same way. Default: stack config
   * `alicloud-kms:encryptLocally`, else `false`. Changing it alone does not re-encrypt.
   */
  encryptLocally?: pulumi.Input<boolean>;
  /**
   * Envelope encryption, for values of any size (TLS keys, JSON credentials, whole files): a fresh
   * random AES-256-GCM data key encrypts the plaintext in the provider, and only the data key goes
   * through KMS (or `encryptLocally`); `ciphertextBlob` is then KMS's ciphertext of the data key and
   * `envelope` holds the rest. Without it, a plaintext must fit the key: 190/214 bytes (RSA_2048),
   * 318/342 (RSA_3072), 6047 (EC_SM2).
   */
  envelope?: pulumi.Input<boolean>;
  /**
   * Symmetric keys only: non-secret key–value pairs KMS binds to the ciphertext (Encrypt's
   * EncryptionContext); Decrypt refuses it under any other. Stored in state and carried by the
   * envelope, so `decrypt(envelope)` supplies it; a bare ciphertext needs it given again. Changing
   * it re-encrypts. Never put a secret here.
   */
  encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Bind the value's scope (this resource's name) into a bare symmetric ciphertext, as the context
   * pair `"pulumi:value": <name>` that the `encryptionContext` output then shows: KMS's Decrypt opens
   * it for no caller that does not send it, and `decrypt()` with `expectScope` checks it. Off by
   * default, since every other reader (`kmsEncryptedPassword` included) would have to send it too.
   * Envelopes (`envelope: true`, `recipients`) always bind their scope and need no option; an
   * asymmetric key's or certificate's direct value cannot bind one (refused).
   */
  bindScope?: pulumi.Input<boolean>;
  /**
   * Several recipients instead of one key or certificate (disaster recovery, key migration): one
   * data key, wrapped by each recipient's KMS in its own region (or with `encryptLocally`, its
   * public key), so any one of them opens the value (envelope format v3; envelope encryption is
   * implied). Replaces `keyId`, `certificateId`, `algorithm`, `keyVersionId` and
   * `encryptionContext`, which each recipient takes for itself. A rotation or staleness of any
   * recipient, and a recipient added or removed, re-encrypts. Up to 8.
   */
  recipients?: pulumi.Input<pulumi.Input<RecipientArgs>[]>;
  /**
   * `"encryption-sdk"`: write the `envelope` output as Alibaba Cloud's Encryption SDK message, which
   * an application opens with `AliyunCrypto.decrypt` (Java, Python, Go) and nothing of ours, as
   * `decrypt()` does too. Symmetric keys only (the key, or every recipient, with one
   * `encryptionContext`); envelope encryption is implied. Default `"native"`. Changing it re-encrypts.
   */
  envelopeFormat?: pulumi.Input<EnvelopeFormat>;
}

/** Inputs that are never outputs: no property of that name may stay on the resource object. */
const INPUT_ONLY_PROPERTIES = [
  "plaintext", "plaintextBase64", "plaintextDigest", "valueUrn", "trigger", "encryptLocally", "stackIntegrityKey", "bindScope",
] as const;

/**
 * A secret encrypted by Alibaba Cloud KMS at deploy time. State keeps the ciphertext and nothing
 * the plaintext can be recovered from; `pulumi preview` validates through KMS's DryRun without
 * encrypting.
 *
 * In a preview every output shows either the value `pulumi up` will give it or, for
 * `ciphertextBlob`, `envelope` and `staleReason` of a value about to be (re-)encrypted, unknown;
 * a value that stays shows all its outputs as they are. Outputs that do not apply are `""`.
 */
export class EncryptedValue extends KmsTargetResource {
  /**
   * KMS's ciphertext, base64: of the value, or with `envelope: true` of the data key. Not a
   * secret: only the key's private half can open it.
   */
  declare public readonly ciphertextBlob: pulumi.Output<string>;
  /**
   * The value as one self-describing string (base64 of JSON, format in docs/security.md): the key or
   * certificate, version, algorithm and region, then with `envelope: true` the encrypted data key,
   * IV, tag and ciphertext, or without it KMS's ciphertext of the value. `decrypt()` from
   * `pulumi-alicloud-kms-encrypted/decrypt` opens it, with nothing else to pass.
   */
  declare public readonly envelope: pulumi.Output<string>;
  /**
   * 1 when the value was created, one more each time its plaintext (digest mode) or its `trigger`
   * (trigger mode) changed: a preview that shows it rising says the value will be re-encrypted for
   * that reason. The digest and the trigger themselves are never outputs.
   */
  declare public readonly plaintextRevision: pulumi.Output<number>;

  constructor(name: string, args: EncryptedValueArgs, opts?: pulumi.CustomResourceOptions) {
    // Stack traces are not captured while the resource is constructed (promise-stack-traces.ts).
    const resumeStackTraces = pauseStackTraces();
    try {
      // When the package was imported before the stack existed (tests, automation API), from here on.
      warnOnDefaultDynamicProvider();
      // Secret even when the program passes a plain string: the engine then never shows it.
      // (A plaintext that was not a secret to begin with gets a warning at preview.)
      const plaintext = args.plaintext === undefined ? undefined
        : pulumi.secret(warnedUnlessSecret(args.plaintext, `EncryptedValue ${name}: plaintext`));
      const plaintextBase64 = args.plaintextBase64 === undefined ? undefined
        : pulumi.secret(warnedUnlessSecret(args.plaintextBase64, `EncryptedValue ${name}: plaintextBase64`));
      // Every key becomes an Output property with four promises: inputs that are only inputs are
      // left out when unset.
      // Where the value will live; keys its plaintext's hand-off inside the provider and salts its digest.
      const valueUrn = pulumi.createUrn(name, ENCRYPTED_VALUE_TYPE, opts?.parent);
      const props: Record<string, unknown> = {
        ...(plaintext ? { plaintext } : {}),
        ...(plaintextBase64 ? { plaintextBase64 } : {}),
        ...(args.encryptLocally !== undefined ? { encryptLocally: args.encryptLocally } : {}),
        // Computed here, in parallel for all values; check compares it with the previous one.
        plaintextDigest: plaintextDigestInput(valueUrn, { plaintext, plaintextBase64, changeDetection: args.changeDetection }),
        valueUrn,
        // A secret: each value's provider derives the value's integrity key from it, and never stores it.
        stackIntegrityKey: stackIntegrityKey(),
        trigger: args.trigger,
        envelope: args.envelope,
        ...(args.bindScope !== undefined ? { bindScope: args.bindScope } : {}),
        ...kmsTargetProperties(args),
        // Outputs only.
        ciphertextBlob: undefined,
        plaintextRevision: undefined,
        // What pulumi.dynamic.Resource would add, written out (see provider-module-source.ts).
        __provider: PROVIDER_MODULE_SOURCE,
      };
      super(ENCRYPTED_VALUE_TYPE, name, props, {
        ...opts,
        // Our own provider, configured with only what it reads (see provider-resource.ts).
        provider: opts?.provider ?? encryptedValueProvider(),
      });
    } finally {
      resumeStackTraces();
    }
    // Every registered input becomes a property of the resource object, resolving to the input's
    // value when the provider returns none: `export const db = new EncryptedValue(…)` (or
    // `db.plaintext`) would put the plaintext into the stack's outputs. The inputs only the SDK
    // and the provider deal in leave the object as soon as they are sent.
    for (const name of INPUT_ONLY_PROPERTIES) delete (this as Record<string, unknown>)[name];
    // State keeps a directly encrypted value's envelope as its ciphertext and target, which give it
    // back byte for byte (the provider stores ""): derived here, as EncryptedValues derives its
    // envelopes. An envelope state does keep (envelope encryption, recipients, the Encryption SDK's
    // format, an earlier version's state) is the output as it is.
    const outputs = { envelope: this.envelope as pulumi.Output<unknown>, ciphertextBlob: this.ciphertextBlob, keyId: this.keyId,
      keyVersionId: this.keyVersionId, certificateId: this.certificateId, algorithm: this.algorithm, region: this.region,
      encryptionContext: this.encryptionContext };
    this.envelope = pulumi.all(outputs).apply(envelopeIfEncrypted);
  }
}

/**
 * The envelope from a value's outputs; undefined, like its ciphertext, for a value that was never
 * created (`up --target` left it out of the stack's first deployment: the engine hands back its
 * inputs, `envelope` the boolean among them, and no ciphertext).
 */
function envelopeIfEncrypted(outputs: Record<string, unknown>): string {
  const { envelope, ciphertextBlob } = outputs;
  const created = (typeof envelope === "string" && envelope !== "") || typeof ciphertextBlob === "string";
  return created ? envelopeOfOutputs(outputs) : (undefined as unknown as string);
}

import * as pulumi from "@pulumi/pulumi";
import { warnOnDefaultDynamicProvider } from "./default-provider-warning";
import { pauseStackTraces } from "./promise-stack-traces";
import type { ChangeDetection, EncryptionAlgorithm, EnvelopeFormat } from "./encryption-algorithm";
import { kmsTargetProperties, KmsTargetResource, type RecipientArgs } from "./kms-target-resource";
import { plaintextDigestsInput } from "./plaintext-digest-input";
import { ENCRYPTED_VALUES_MODULE_SOURCE, ENCRYPTED_VALUES_TYPE } from "./provider-module-source";
import { encryptedValueProvider } from "./provider-resource";
import { stackIntegrityKey } from "./integrity-key";
import { entriesWarnedUnlessSecret } from "./plaintext-secrecy";
import { entryMaps, type TargetOutputs } from "../provider/toolkit";

/** The inputs of an {@link EncryptedValues}. */
export interface EncryptedValuesArgs {
  /**
   * The secrets to encrypt, as UTF-8 text, by entry name: `{ dbPassword: …, apiToken: … }`. Sent to
   * the provider as a Pulumi secret and never stored in state. The names are *not* secret: they are
   * the keys of the output maps. A name is 1–128 letters, digits, `_`, `.` or `-`, starting with a
   * letter or digit.
   */
  plaintexts: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The asymmetric ENCRYPT/DECRYPT key every entry is encrypted under: ID, `alias/<name>` or ARN.
   * Set exactly one of `keyId` and `certificateId`.
   */
  keyId?: pulumi.Input<string>;
  /** A KMS-managed certificate to encrypt every entry with (CertificatePublicKeyEncrypt). */
  certificateId?: pulumi.Input<string>;
  /** As for EncryptedValue: default `RSAES_OAEP_SHA_256` for RSA, `SM2PKE` for EC_SM2. */
  algorithm?: pulumi.Input<EncryptionAlgorithm>;
  /** Pin a key version; omitted, every entry follows the key's primary version. */
  keyVersionId?: pulumi.Input<string>;
  /**
   * `"digest"` (default): a salted scrypt digest of each entry, kept only among the inputs in state
   * as a secret, detects which entries changed. `"trigger"`: no digests; an entry is re-encrypted
   * when its `triggers` value changes.
   */
  changeDetection?: pulumi.Input<ChangeDetection>;
  /** With `changeDetection: "trigger"`: a string per entry; changing one re-encrypts that entry. */
  triggers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** As for EncryptedValue: encrypt in the provider with the public key (no call per entry). */
  encryptLocally?: pulumi.Input<boolean>;
  /** Envelope encryption for every entry, for values of any size (see EncryptedValue). */
  envelope?: pulumi.Input<boolean>;
  /**
   * Symmetric keys only: non-secret key–value pairs KMS binds to the ciphertext (Encrypt's
   * EncryptionContext); Decrypt refuses it under any other. Stored in state and carried by the
   * envelope, so `decrypt(envelope)` supplies it; a bare ciphertext needs it given again. Changing
   * it re-encrypts. Never put a secret here.
   */
  encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Several recipients instead of one key or certificate, as for EncryptedValue: every entry is an
   * envelope of one data key wrapped for each, any one of which opens it.
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
const INPUT_ONLY_PROPERTIES = ["plaintexts", "plaintextDigests", "valueUrn", "triggers", "encryptLocally", "stackIntegrityKey"] as const;

/**
 * Many secrets in one resource, all under one key or certificate: each entry is encrypted as an
 * {@link EncryptedValue} would be, with the same guarantees (no plaintext in state in any form,
 * DryRun previews, rotation re-encrypts, refresh reports staleness), at the engine's price of one
 * resource. Changing, adding or removing an entry encrypts only that entry; every other ciphertext
 * stays byte for byte. `decrypt(values.envelopes[name])` opens an entry.
 */
export class EncryptedValues extends KmsTargetResource {
  /** KMS's ciphertext of each entry (of its data key with `envelope: true`), base64, by entry name. */
  declare public readonly ciphertexts: pulumi.Output<Record<string, string>>;
  /** Each entry as one self-describing envelope string, by entry name: what `decrypt()` opens. */
  declare public readonly envelopes: pulumi.Output<Record<string, string>>;
  /** Each entry's revision: 1 when it appeared, one more each time it changed. */
  declare public readonly plaintextRevisions: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: EncryptedValuesArgs, opts?: pulumi.CustomResourceOptions) {
    // Stack traces are not captured while the resource is constructed (promise-stack-traces.ts).
    const resumeStackTraces = pauseStackTraces();
    try {
      warnOnDefaultDynamicProvider();
      // The whole map as one secret Output, whatever mix of plain strings and Outputs the program gave.
      // (Entries that were not secrets to begin with get a warning at preview.)
      const plaintexts = pulumi.secret(entriesWarnedUnlessSecret(args.plaintexts, name));
      const valueUrn = pulumi.createUrn(name, ENCRYPTED_VALUES_TYPE, opts?.parent);
      const props: Record<string, unknown> = {
        plaintexts,
        ...(args.encryptLocally !== undefined ? { encryptLocally: args.encryptLocally } : {}),
        plaintextDigests: plaintextDigestsInput(valueUrn, plaintexts, args.changeDetection),
        valueUrn,
        // A secret: the provider derives the map's integrity key from it, and never stores it.
        stackIntegrityKey: stackIntegrityKey(),
        triggers: args.triggers,
        envelope: args.envelope,
        ...kmsTargetProperties(args),
        ciphertexts: undefined,
        envelopes: undefined,
        plaintextRevisions: undefined,
        __provider: ENCRYPTED_VALUES_MODULE_SOURCE,
      };
      super(ENCRYPTED_VALUES_TYPE, name, props, { ...opts, provider: opts?.provider ?? encryptedValueProvider() });
    } finally {
      resumeStackTraces();
    }
    // As for EncryptedValue: nothing input-only stays on the object, where exporting it would put it in outputs.
    for (const property of INPUT_ONLY_PROPERTIES) delete (this as Record<string, unknown>)[property];
    // State keeps each entry once (the ciphertext, or with envelope encryption the envelope); the
    // other map is derived here, so a map of many entries costs the engine half as much.
    const target: pulumi.Output<TargetOutputs> = pulumi
      .all([this.keyId, this.keyVersionId, this.certificateId, this.algorithm, this.region, this.encryptionContext])
      .apply(([keyId, keyVersionId, certificateId, algorithm, region, encryptionContext]) => ({
        keyId, keyVersionId, certificateId, algorithm, region, encryptionContext,
      }));
    // Undefined, like every output, for a map that was never created (`up --target` left it out).
    const none = undefined as unknown as Record<string, string>;
    const maps = pulumi.all([this.ciphertexts, this.envelopes, target]).apply(([ciphertexts, envelopes, t]) =>
      (ciphertexts === undefined && envelopes === undefined
        ? { ciphertexts: none, envelopes: none }
        : entryMaps(ciphertexts, envelopes, t)));
    this.ciphertexts = maps.ciphertexts;
    this.envelopes = maps.envelopes;
  }
}

export { entryMaps };

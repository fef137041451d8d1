import * as pulumi from "@pulumi/pulumi";
import type { EncryptedValueArgs } from "./encrypted-value";
import type { EncryptedValuesArgs } from "./encrypted-values";
import type { ChangeDetection, EncryptionAlgorithm, EncryptionContext, EnvelopeFormat, PlaintextEncoding, Recipient } from "./encryption-algorithm";
import { kmsTargetProperties } from "./kms-target-resource";
import { entriesWarnedUnlessSecret, warnedUnlessSecret } from "./plaintext-secrecy";

// `pulumi-alicloud-kms-encrypted/plugin`: EncryptedValue and EncryptedValues on the alicloud-kms
// resource plugin (docs/plugin.md) instead of the dynamic provider, for Node programs that want
// what the plugin gives (one provider for every language in a stack, faster deployments) with this
// package's types. They register the plugin's type tokens with the same inputs; the plugin
// computes in check what the dynamic provider's classes compute in the program. A value moved
// from the dynamic provider to the plugin is a new resource (another type): one re-encryption.

/** The plugin's type tokens. */
export const PLUGIN_TYPES = {
  /** {@link EncryptedValue}'s. */
  value: "alicloud-kms:index:EncryptedValue",
  /** {@link EncryptedValues}'s. */
  values: "alicloud-kms:index:EncryptedValues",
} as const;

/** The outputs both resources share (as on the dynamic provider's classes). */
abstract class PluginTargetResource extends pulumi.CustomResource {
  /** The key's own ID (aliases and ARNs resolved); "" for certificates. */
  declare public readonly keyId: pulumi.Output<string>;
  /** The key version the ciphertexts were made with; "" for certificates. */
  declare public readonly keyVersionId: pulumi.Output<string>;
  /** The KMS instance (`kst-…`) the key lives in; "" outside one and for certificates. */
  declare public readonly kmsInstanceId: pulumi.Output<string>;
  /** The certificate used; "" for keys. */
  declare public readonly certificateId: pulumi.Output<string>;
  /** The algorithm used. */
  declare public readonly algorithm: pulumi.Output<EncryptionAlgorithm>;
  /** The key or certificate spec. */
  declare public readonly keySpec: pulumi.Output<string>;
  /** The region the KMS calls went to. */
  declare public readonly region: pulumi.Output<string>;
  /** How plaintext changes are noticed. */
  declare public readonly changeDetection: pulumi.Output<ChangeDetection>;
  /** A symmetric key's encryption context. */
  declare public readonly encryptionContext: pulumi.Output<EncryptionContext>;
  /** With `recipients`: each one as resolved. */
  declare public readonly recipients: pulumi.Output<Recipient[]>;
  /** How KMS's `Plaintext` carries the value: `"text"` or `"base64"`. */
  declare public readonly plaintextEncoding: pulumi.Output<PlaintextEncoding>;
  /** The format of the envelope output(s). */
  declare public readonly envelopeFormat: pulumi.Output<EnvelopeFormat>;
  /** Set by `pulumi refresh` when the ciphertexts can no longer be decrypted or the state was edited; "" otherwise. */
  declare public readonly staleReason: pulumi.Output<string>;
}

/** The inputs that are not outputs leave the object: exporting it would otherwise show them (the plaintext too). */
function dropInputOnly(resource: pulumi.CustomResource, inputOnly: readonly string[]): void {
  for (const name of inputOnly) delete (resource as unknown as Record<string, unknown>)[name];
}

/** {@link EncryptedValue} of the main module, on the alicloud-kms resource plugin. */
export class EncryptedValue extends PluginTargetResource {
  /** KMS's ciphertext, base64 (of the data key with `envelope: true`). */
  declare public readonly ciphertextBlob: pulumi.Output<string>;
  /** The value as one self-describing string, what `decrypt()` opens. */
  declare public readonly envelope: pulumi.Output<string>;
  /** 1 when created, one more each time the plaintext (or trigger) changed. */
  declare public readonly plaintextRevision: pulumi.Output<number>;

  constructor(name: string, args: EncryptedValueArgs, opts?: pulumi.CustomResourceOptions) {
    const secretInput = (value: pulumi.Input<string> | undefined, property: string) =>
      value === undefined ? undefined : pulumi.secret(warnedUnlessSecret(value, `EncryptedValue ${name}: ${property}`));
    super(PLUGIN_TYPES.value, name, {
      plaintext: secretInput(args.plaintext, "plaintext"),
      plaintextBase64: secretInput(args.plaintextBase64, "plaintextBase64"),
      trigger: args.trigger,
      encryptLocally: args.encryptLocally,
      envelope: args.envelope,
      bindScope: args.bindScope,
      ...kmsTargetProperties(args),
      ciphertextBlob: undefined,
      plaintextRevision: undefined,
    }, opts);
    dropInputOnly(this, ["plaintext", "plaintextBase64", "trigger", "encryptLocally", "bindScope"]);
  }
}

/** {@link EncryptedValues} of the main module, on the alicloud-kms resource plugin. */
export class EncryptedValues extends PluginTargetResource {
  /** KMS's ciphertext of each entry, base64, by entry name. */
  declare public readonly ciphertexts: pulumi.Output<Record<string, string>>;
  /** Each entry as one self-describing envelope string, by entry name. */
  declare public readonly envelopes: pulumi.Output<Record<string, string>>;
  /** Each entry's revision. */
  declare public readonly plaintextRevisions: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: EncryptedValuesArgs, opts?: pulumi.CustomResourceOptions) {
    super(PLUGIN_TYPES.values, name, {
      plaintexts: pulumi.secret(entriesWarnedUnlessSecret(args.plaintexts, name)),
      triggers: args.triggers,
      encryptLocally: args.encryptLocally,
      envelope: args.envelope,
      ...kmsTargetProperties(args),
      ciphertexts: undefined,
      envelopes: undefined,
      plaintextRevisions: undefined,
    }, opts);
    dropInputOnly(this, ["plaintexts", "triggers", "encryptLocally"]);
  }
}

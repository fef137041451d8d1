import * as pulumi from "@pulumi/pulumi";
import type { EncryptedValueArgs } from "./encrypted-value";
import type { EncryptedValuesArgs } from "./encrypted-values";
import { kmsTargetProperties, KmsTargetResource } from "./kms-target-resource";
import { pauseStackTraces } from "./promise-stack-traces";
import { entriesWarnedUnlessSecret, warnedUnlessSecret } from "./plaintext-secrecy";

// `pulumi-alicloud-kms-encrypted/plugin`: EncryptedValue and EncryptedValues on the alicloud-kms
// resource plugin (docs/plugin.md) instead of the dynamic provider, for Node programs that want
// what the plugin gives (one provider for every language in a stack, faster deployments) with this
// package's types. They register the plugin's type tokens with the same inputs; the plugin
// computes in check what the dynamic provider's classes compute in the program. They share
// KmsTargetResource's outputs with those classes. A value moved
// from the dynamic provider to the plugin is a new resource (another type): one re-encryption.

/** The plugin's type tokens. */
export const PLUGIN_TYPES = {
  /** {@link EncryptedValue}'s. */
  value: "alicloud-kms:index:EncryptedValue",
  /** {@link EncryptedValues}'s. */
  values: "alicloud-kms:index:EncryptedValues",
} as const;

/** The inputs that are not outputs leave the object: exporting it would otherwise show them (the plaintext too). */
function dropInputOnly(resource: pulumi.CustomResource, inputOnly: readonly string[]): void {
  for (const name of inputOnly) delete (resource as unknown as Record<string, unknown>)[name];
}

/** {@link EncryptedValue} of the main module, on the alicloud-kms resource plugin. */
export class EncryptedValue extends KmsTargetResource {
  /** KMS's ciphertext, base64 (of the data key with `envelope: true`). */
  declare public readonly ciphertextBlob: pulumi.Output<string>;
  /** The value as one self-describing string, what `decrypt()` opens. */
  declare public readonly envelope: pulumi.Output<string>;
  /** 1 when created, one more each time the plaintext (or trigger) changed. */
  declare public readonly plaintextRevision: pulumi.Output<number>;

  constructor(name: string, args: EncryptedValueArgs, opts?: pulumi.CustomResourceOptions) {
    const secretInput = (value: pulumi.Input<string> | undefined, property: string) =>
      value === undefined ? undefined : pulumi.secret(warnedUnlessSecret(value, `EncryptedValue ${name}: ${property}`));
    // As the dynamic provider's classes: no stack trace for each of the promises constructing makes.
    const resumeStackTraces = pauseStackTraces();
    try {
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
    } finally {
      resumeStackTraces();
    }
    dropInputOnly(this, ["plaintext", "plaintextBase64", "trigger", "encryptLocally", "bindScope"]);
  }
}

/** {@link EncryptedValues} of the main module, on the alicloud-kms resource plugin. */
export class EncryptedValues extends KmsTargetResource {
  /** KMS's ciphertext of each entry, base64, by entry name. */
  declare public readonly ciphertexts: pulumi.Output<Record<string, string>>;
  /** Each entry as one self-describing envelope string, by entry name. */
  declare public readonly envelopes: pulumi.Output<Record<string, string>>;
  /** Each entry's revision. */
  declare public readonly plaintextRevisions: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: EncryptedValuesArgs, opts?: pulumi.CustomResourceOptions) {
    const resumeStackTraces = pauseStackTraces();
    try {
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
    } finally {
      resumeStackTraces();
    }
    dropInputOnly(this, ["plaintexts", "triggers", "encryptLocally"]);
  }
}

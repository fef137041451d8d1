// What every EncryptedValue stores as `__provider`. The dynamic provider host loads that string as
// a module (require-from-string) and calls its `handler()` for the provider; this one loads ours by
// package name, so the provider's code is whatever version the project has installed.
//
// Written out rather than produced by Pulumi's closure serializer (pulumi.dynamic.Resource): the
// serializer wraps each of the provider's seven methods and made ~2.5 KB that the engine stores
// twice per value (inputs and outputs) and rewrites at every checkpoint, which made state 2.4 times
// the size of a do-nothing dynamic resource's and checkpointing the largest cost of a large
// create. A constant also cannot capture anything: no credential, client or plaintext.
export const PROVIDER_MODULE_SOURCE =
  "exports.handler = () => require(\"pulumi-alicloud-kms-encrypted/provider\").encryptedValueProvider;\n";

/** The type token pulumi.dynamic.Resource would give it: the `pulumi-nodejs` provider serves it. */
export const ENCRYPTED_VALUE_TYPE = "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue";

/** The same for the stack's digest salt (see digest-salt.ts). */
export const DIGEST_SALT_MODULE_SOURCE =
  "exports.handler = () => require(\"pulumi-alicloud-kms-encrypted/provider\").digestSaltProvider;\n";
export const DIGEST_SALT_TYPE = "pulumi-nodejs:dynamic/alicloud-kms:DigestSalt";

/** The same for a map of values (see encrypted-values.ts). */
export const ENCRYPTED_VALUES_MODULE_SOURCE =
  "exports.handler = () => require(\"pulumi-alicloud-kms-encrypted/provider\").encryptedValuesProvider;\n";
export const ENCRYPTED_VALUES_TYPE = "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValues";

/** The same for the stack's integrity key (see integrity-key.ts). */
export const INTEGRITY_KEY_MODULE_SOURCE =
  "exports.handler = () => require(\"pulumi-alicloud-kms-encrypted/provider\").integrityKeyProvider;\n";
export const INTEGRITY_KEY_TYPE = "pulumi-nodejs:dynamic/alicloud-kms:IntegrityKey";

/** The same for a password drawn by the provider (see encrypted-random-password.ts). */
export const ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE =
  "exports.handler = () => require(\"pulumi-alicloud-kms-encrypted/provider\").encryptedRandomPasswordProvider;\n";
export const ENCRYPTED_RANDOM_PASSWORD_TYPE = "pulumi-nodejs:dynamic/alicloud-kms:EncryptedRandomPassword";

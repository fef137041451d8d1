import { DigestSaltProvider } from "./engine/digest-salt-provider";
import { EncryptedValueProvider } from "./engine/encrypted-value-provider";
import { EncryptedValuesProvider } from "./engine/encrypted-values-provider";
import { EncryptedRandomPasswordProvider } from "./engine/encrypted-random-password-provider";
import { IntegrityKeyProvider } from "./engine/integrity-key-provider";

// Loaded by package name ("pulumi-alicloud-kms-encrypted/provider") inside the dynamic provider
// host. One instance of each per process: the plaintext hand-off between check and create lives in
// the EncryptedValue provider.

export const encryptedValueProvider = new EncryptedValueProvider();
export const encryptedValuesProvider = new EncryptedValuesProvider();
export const encryptedRandomPasswordProvider = new EncryptedRandomPasswordProvider();
export const digestSaltProvider = new DigestSaltProvider();
export const integrityKeyProvider = new IntegrityKeyProvider();
export {
  DigestSaltProvider, EncryptedRandomPasswordProvider, EncryptedValueProvider, EncryptedValuesProvider, IntegrityKeyProvider,
};

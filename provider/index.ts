import { EncryptedValueProvider } from "./engine/encrypted-value-provider";

// Loaded by package name ("pulumi-alicloud-kms-encrypted/provider") inside the dynamic provider
// host. One instance per process: the plaintext hand-off between check and create lives in it.

export const encryptedValueProvider = new EncryptedValueProvider();
export { EncryptedValueProvider };

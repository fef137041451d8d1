import { type DecryptInput, type DecryptOptions, openValue } from "./open-value";
import type { SettingNames } from "../provider/toolkit";

export type { EncryptionAlgorithm, EncryptionContext, EnvelopeFormat, PlaintextEncoding } from "./encryption-algorithm";
export {
  type CertificateCiphertext, DecryptError, type DecryptInput, type DecryptOptions, type EnvelopeInput, type ExpectedScope,
  type KeyCiphertext, type FailedRecipient, type OpenedBy, type RecipientDescription,
} from "./open-value";

// `pulumi-alicloud-kms-encrypted/decrypt`: the application side. It loads no @pulumi/pulumi, so an
// application that only decrypts installs the package without it.

/** An application's names for its settings: decrypt()'s options and the environment it reads. */
const APPLICATION_SETTING_NAMES: SettingNames = {
  region: "decrypt()'s region option (or ALIBABA_CLOUD_REGION_ID)",
  endpoint: "decrypt()'s endpoint option (or ALIBABA_CLOUD_KMS_ENDPOINT)",
  credentials: "Give the application ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ALIBABA_CLOUD_PROFILE, " +
    "in its environment (or decrypt()'s env option), or run it with a RAM role",
  configKeys: { "alicloud-kms:region": "region option", "alicloud-kms:endpoint": "endpoint option" },
};

/**
 * Decrypts what EncryptedValue (its `envelope`, or its `ciphertextBlob` with `keyId`,
 * `keyVersionId`, `algorithm`, `region` and, for a symmetric key, `encryptionContext`) or the
 * CLI's `encrypt` produced, through AsymmetricDecrypt, CertificatePrivateKeyDecrypt or Decrypt,
 * and returns the plaintext bytes. The caller needs kms:AsymmetricDecrypt on the key
 * (kms:CertificatePrivateKeyDecrypt on the certificate, kms:Decrypt on a symmetric key).
 */
export function decrypt(input: DecryptInput, options: DecryptOptions = {}): Promise<Buffer> {
  return openValue(input, options, APPLICATION_SETTING_NAMES);
}

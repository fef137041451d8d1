// Loaded first: without @pulumi/pulumi, one sentence saying what to install instead of a require stack.
import "./pulumi-peer";
import { warnOnDefaultDynamicProvider } from "./default-provider-warning";

export { EncryptedValue, type ChangeDetection, type EncryptedValueArgs } from "./encrypted-value";
export type { RecipientArgs } from "./kms-target-resource";
export { EncryptedValues, type EncryptedValuesArgs } from "./encrypted-values";
export { EncryptedRandomPassword, type EncryptedRandomPasswordArgs } from "./encrypted-random-password";
export type { EncryptionAlgorithm, EncryptionContext, EnvelopeFormat, PlaintextEncoding, Recipient } from "./encryption-algorithm";
export { KmsTargetResource } from "./kms-target-resource";
export {
  decrypt,
  DecryptError,
  type CertificateCiphertext,
  type DecryptInput,
  type DecryptOptions,
  type EnvelopeInput,
  type ExpectedScope,
  type KeyCiphertext,
} from "./decrypt";
export { dynamicProviderWithoutConfig } from "./provider-resource";

// Imported at the top of a program, this sees every resource the program makes.
warnOnDefaultDynamicProvider();

// Loaded first: without @pulumi/pulumi, one sentence saying what to install instead of a require stack.
import "./pulumi-peer";
export { EncryptedValue, type ChangeDetection, type EncryptedValueArgs } from "./encrypted-value";
export type { EncryptionAlgorithm } from "./encryption-algorithm";
export {
  decrypt,
  DecryptError,
  type CertificateCiphertext,
  type DecryptInput,
  type DecryptOptions,
  type EnvelopeInput,
  type KeyCiphertext,
} from "./decrypt";

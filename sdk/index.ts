export { EncryptedValue, type ChangeDetection, type EncryptedValueArgs, type EncryptionAlgorithm } from "./encrypted-value";

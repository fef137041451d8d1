// The one entry through which sdk/ (EncryptedValue, decrypt(), the CLI) reaches the provider's
// parts: the engine side (inputs, target resolution), the KMS client and the cryptography. Nothing
// here loads @pulumi/pulumi, so decrypt() and the CLI stay free of it.

export { decodeBase64, STRICT_BASE64 } from "./base64";
export { secretContextReason } from "./engine/inputs";
export { type ResolvedTarget, resolveTarget, type TargetInputs } from "./engine/resolve-target";
export {
  DataKeyRefusedError, decryptEnvelope, decryptRecipients, EnvelopeIntegrityError, KeyMismatchError, NoRecipientOpenedError,
  PlaintextEncodingError,
  type RecipientFailure,
} from "./crypto/decrypt-value";
export { type AnyEnvelope, formatAnyEnvelope, hasRecipients, kmsCiphertextOf, type MultiRecipientEnvelope, readEnvelope } from "./crypto/any-envelope";
export { describeRecipient, formatRecipientsEnvelope, MAX_RECIPIENTS, type Recipient, type RecipientsEnvelope } from "./crypto/recipients-envelope";
export { canonicalContext, type EncryptionContext, encryptionContextProblem } from "./kms/encryption-context";
export { beginsLikeSdkMessage } from "./crypto/encryption-sdk-message";
export { describeScope, sameScope, scopeInContext, scopeProblem, type ValueScope } from "./crypto/value-scope";
export {
  encryptForRecipients, encryptForSdkMessage, encryptValue, type EncryptionTarget, RecipientEncryptionError,
} from "./crypto/encrypt-value";
export {
  type Envelope,
  ENVELOPE_VERSION,
  envelopeOfCiphertext,
  EnvelopeFormatError,
  beginsLikeEnvelopeJson,
  formatEnvelope,
  parseEnvelope,
  isPlaintextEncoding,
  type PlaintextEncoding,
  type TargetOutputs,
} from "./crypto/envelope-format";
export { digestWithSalt, saltFor } from "./crypto/plaintext-digest";
export { entryMaps, envelopeOfOutputs, type StoredMap } from "./engine/entry-maps";
export { guessableWarning, logicalName } from "./engine/program-inputs";
export { isRegionId, isResourceId, parseKeyReference, printable, regionOfKeyReference } from "./kms/identifiers";
export { type Algorithm, isAlgorithm, isSymmetric } from "./kms/key-spec-limits";
export { KmsCallError } from "./kms/kms-call-error";
export { describeKmsError, type SettingNames } from "./kms/kms-error-messages";
export { KmsServices } from "./kms/kms-services";
export { credentialValues, resolveSettings } from "./kms/settings";
export { MessageOnlyError, ownMessage } from "./message-only-error";
export { redact } from "./redact";

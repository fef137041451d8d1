import type { Operation } from "./operation";
import { symmetricOpener, symmetricSealer } from "./symmetric-seal";

/**
 * ReEncrypt, symmetric keys: the CiphertextBlob opened under SourceEncryptionContext and sealed
 * under DestinationKeyId with DestinationEncryptionContext, the plaintext never leaving KMS
 * (Alibaba's Encryption SDK wraps a data key for a second CMK of the same region this way).
 */
export const reEncrypt: Operation = {
  action: "ReEncrypt",
  acceptsDryRun: true,
  prepare(context) {
    const source = symmetricOpener(context, "SourceEncryptionContext");
    const destination = symmetricSealer(context, { keyId: "DestinationKeyId", encryptionContext: "DestinationEncryptionContext" });
    return () => {
      const plaintext = source.open();
      try {
        const sealed = destination.seal(plaintext);
        return { ...sealed, SourceKeyId: source.key.keyId, SourceKeyVersionId: source.version.keyVersionId };
      } finally {
        plaintext.fill(0);
      }
    };
  },
};

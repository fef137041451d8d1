import type { Operation } from "./operation";
import { symmetricOpener } from "./symmetric-seal";

/** Decrypt takes no KeyId: the ciphertext names its key and version. */
export const decrypt: Operation = {
  action: "Decrypt",
  acceptsDryRun: true,
  prepare(context) {
    const opener = symmetricOpener(context);
    return () => {
      const plaintext = opener.open();
      // The string Encrypt was given, verbatim.
      return { KeyId: opener.key.keyId, KeyVersionId: opener.version.keyVersionId, Plaintext: plaintext.toString("utf8") };
    };
  },
};

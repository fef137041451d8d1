import { errors } from "../errors";
import { decryptWith } from "../keys/key-material";
import { assertEncryptionKey, assertUsable, base64Bytes, encryptionAlgorithm, keyAndVersion } from "./common";
import type { Operation } from "./operation";

export const asymmetricDecrypt: Operation = {
  action: "AsymmetricDecrypt",
  acceptsDryRun: true,
  prepare({ store, params }) {
    const { key, version } = keyAndVersion(store, params);
    assertUsable(key);
    assertEncryptionKey(key);
    const { algorithm } = encryptionAlgorithm(params, key.keySpec);
    const ciphertext = base64Bytes(params, "CiphertextBlob");
    return () => {
      const plaintext = decryptWith(store.asymmetricKey(key, version), algorithm, ciphertext);
      if (!plaintext) throw errors.invalidCiphertext();
      return {
        KeyId: key.keyId,
        KeyVersionId: version.keyVersionId,
        Plaintext: plaintext.toString("base64"),
      };
    };
  },
};

import { errors } from "../errors";
import { decryptWith } from "../keys/key-material";
import { assertReachable, assertEncryptionKey, assertUsable, base64Bytes, encryptionAlgorithm, keyAndVersion } from "./common";
import type { Operation } from "./operation";

export const asymmetricDecrypt: Operation = {
  action: "AsymmetricDecrypt",
  acceptsDryRun: true,
  prepare(context) {
    const { store, params } = context;
    const { key, version } = keyAndVersion(store, params);
    assertReachable(context, key);
    assertUsable(key);
    assertEncryptionKey(key);
    const { algorithm } = encryptionAlgorithm(params, key.keySpec, key);
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

import { encryptWith } from "../keys/key-material";
import {
  assertEncryptionKey,
  assertUsable,
  encryptionAlgorithm,
  keyAndVersion,
  plaintextWithin,
} from "./common";
import type { Operation } from "./operation";

export const asymmetricEncrypt: Operation = {
  action: "AsymmetricEncrypt",
  acceptsDryRun: true,
  prepare({ store, params }) {
    const { key, version } = keyAndVersion(store, params);
    assertUsable(key);
    assertEncryptionKey(key);
    const { algorithm, limit } = encryptionAlgorithm(params, key.keySpec);
    const plaintext = plaintextWithin(params, limit);
    return () => ({
      KeyId: key.keyId,
      KeyVersionId: version.keyVersionId,
      CiphertextBlob: encryptWith(store.asymmetricKey(key, version), algorithm, plaintext).toString("base64"),
    });
  },
};

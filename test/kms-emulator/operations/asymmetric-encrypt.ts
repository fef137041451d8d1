import { encryptWith } from "../keys/key-material";
import {
  assertEncryptionKey,
  assertReachable,
  assertUsable,
  encryptionAlgorithm,
  keyAndVersion,
  plaintextWithin,
} from "./common";
import type { Operation } from "./operation";

export const asymmetricEncrypt: Operation = {
  action: "AsymmetricEncrypt",
  acceptsDryRun: true,
  prepare(context) {
    const { store, params } = context;
    const { key, version } = keyAndVersion(store, params);
    assertReachable(context, key);
    assertUsable(key);
    assertEncryptionKey(key);
    const { algorithm, limit } = encryptionAlgorithm(params, key.keySpec, key);
    const plaintext = plaintextWithin(params, limit);
    return () => ({
      KeyId: key.keyId,
      KeyVersionId: version.keyVersionId,
      CiphertextBlob: encryptWith(store.asymmetricKey(key, version), algorithm, plaintext).toString("base64"),
    });
  },
};

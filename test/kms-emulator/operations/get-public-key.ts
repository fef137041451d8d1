import { assertReachable, assertAsymmetric, assertUsable, keyAndVersion } from "./common";
import type { Operation } from "./operation";

export const getPublicKey: Operation = {
  action: "GetPublicKey",
  acceptsDryRun: true,
  prepare(context) {
    const { store, params } = context;
    const { key, version } = keyAndVersion(store, params);
    assertReachable(context, key);
    assertUsable(key);
    assertAsymmetric(key);
    return () => ({
      KeyId: key.keyId,
      KeyVersionId: version.keyVersionId,
      PublicKey: store.asymmetricKey(key, version).publicKeyPem,
    });
  },
};

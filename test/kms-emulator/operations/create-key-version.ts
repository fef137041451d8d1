import { errors } from "../errors";
import { assertAsymmetric, assertUsable, required } from "./common";
import type { Operation } from "./operation";

export const createKeyVersion: Operation = {
  action: "CreateKeyVersion",
  prepare({ store, params, behaviour }) {
    const key = store.resolveKey(required(params, "KeyId"));
    assertAsymmetric(key);
    assertUsable(key);
    const last = Date.parse(store.primaryVersion(key).creationDate);
    if (Date.now() - last < behaviour.minRotationIntervalMs) {
      throw errors.unsupportedOperation("The interval between two key versions must be at least 7 days.");
    }
    return () => {
      const version = store.createKeyVersion(key);
      return {
        KeyVersion: {
          KeyId: key.keyId,
          KeyVersionId: version.keyVersionId,
          CreationDate: version.creationDate,
        },
      };
    };
  },
};

import { errors } from "../errors";
import { assertUsable, required } from "./common";
import type { Operation } from "./operation";

// The references disagree on which keys take a new version this way: the older page says asymmetric
// keys only, the KMS 3.0 page symmetric keys in software instances only (the others rotate
// automatically, which the emulator does not run). The emulator accepts both kinds, so a client's
// handling of either key's rotation can be exercised.
export const createKeyVersion: Operation = {
  action: "CreateKeyVersion",
  prepare({ store, params, behaviour }) {
    const key = store.resolveKey(required(params, "KeyId"));
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

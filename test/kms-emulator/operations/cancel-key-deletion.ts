import { errors } from "../errors";
import { required } from "./common";
import type { Operation } from "./operation";

export const cancelKeyDeletion: Operation = {
  action: "CancelKeyDeletion",
  prepare({ store, params }) {
    const key = store.resolveKey(required(params, "KeyId"));
    if (key.keyState !== "PendingDeletion")
      throw errors.unsupportedOperation("The key is not pending deletion.");
    return () => {
      store.setKeyState(key, "Enabled");
      return {};
    };
  },
};

import { errors } from "../errors";
import type { KeyState } from "../store/records";
import { required } from "./common";
import type { Operation } from "./operation";

/** EnableKey / DisableKey: a key pending deletion can only have its deletion cancelled. */
export function keyStateChange(action: string, to: KeyState): Operation {
  return {
    action,
    prepare({ store, params }) {
      const key = store.resolveKey(required(params, "KeyId"));
      if (key.keyState === "PendingDeletion") throw errors.keyPendingDeletion();
      return () => {
        store.setKeyState(key, to);
        return {};
      };
    },
  };
}

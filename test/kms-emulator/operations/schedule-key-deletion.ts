import { errors } from "../errors";
import { isoNow } from "../store/records";
import { integer, required } from "./common";
import type { Operation } from "./operation";

export const scheduleKeyDeletion: Operation = {
  action: "ScheduleKeyDeletion",
  prepare({ store, params }) {
    const key = store.resolveKey(required(params, "KeyId"));
    required(params, "PendingWindowInDays");
    const days = integer(params, "PendingWindowInDays", 30, 7, 366);
    if (key.keyState === "PendingDeletion") throw errors.keyPendingDeletion();
    return () => {
      store.setKeyState(key, "PendingDeletion", isoNow(new Date(Date.now() + days * 24 * 3600 * 1000)));
      return {};
    };
  },
};

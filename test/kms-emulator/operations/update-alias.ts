import { errors } from "../errors";
import { required } from "./common";
import type { Operation } from "./operation";

// Points an existing alias at another key: how users move an application to a new key.
export const updateAlias: Operation = {
  action: "UpdateAlias",
  prepare({ store, params }) {
    const aliasName = required(params, "AliasName");
    if (!store.hasAlias(aliasName)) throw errors.aliasNotFound();
    const key = store.resolveKey(required(params, "KeyId"));
    return () => {
      store.updateAlias(aliasName, key);
      return {};
    };
  },
};

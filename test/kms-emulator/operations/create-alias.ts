import { errors } from "../errors";
import { required } from "./common";
import type { Operation } from "./operation";

const ALIAS_NAME = /^alias\/[a-zA-Z0-9:/_-]{1,255}$/;

export const createAlias: Operation = {
  action: "CreateAlias",
  prepare({ store, params }) {
    const aliasName = required(params, "AliasName");
    if (!ALIAS_NAME.test(aliasName) || aliasName.startsWith("alias/acs")) {
      throw errors.invalidParameter(
        "AliasName",
        "It must be alias/ followed by 1-255 of a-z A-Z 0-9 : / _ - and not start with alias/acs.",
      );
    }
    const key = store.resolveKey(required(params, "KeyId"));
    if (store.hasAlias(aliasName)) throw errors.aliasAlreadyExists();
    return () => {
      store.createAlias(aliasName, key);
      return {};
    };
  },
};

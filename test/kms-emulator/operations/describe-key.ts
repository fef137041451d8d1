import { keyMetadata, required } from "./common";
import type { Operation } from "./operation";

export const describeKey: Operation = {
  action: "DescribeKey",
  prepare({ store, params, behaviour }) {
    const key = store.resolveKey(required(params, "KeyId"));
    return () => ({ KeyMetadata: keyMetadata(store, key, behaviour) });
  },
};

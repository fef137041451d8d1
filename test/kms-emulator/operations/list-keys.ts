import { page } from "./common";
import type { Operation } from "./operation";

export const listKeys: Operation = {
  action: "ListKeys",
  prepare({ store, params }) {
    const { items, ...paging } = page(params, store.allKeys());
    return () => ({
      ...paging,
      Keys: { Key: items.map((k) => ({ KeyId: k.keyId, KeyArn: store.keyArn(k.keyId) })) },
    });
  },
};

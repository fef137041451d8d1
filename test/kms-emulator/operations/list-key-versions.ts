import { page, required } from "./common";
import type { Operation } from "./operation";

export const listKeyVersions: Operation = {
  action: "ListKeyVersions",
  prepare({ store, params }) {
    const key = store.resolveKey(required(params, "KeyId"));
    const { items, ...paging } = page(params, key.versions);
    return () => ({
      ...paging,
      KeyVersions: {
        KeyVersion: items.map((v) => ({
          KeyId: key.keyId,
          KeyVersionId: v.keyVersionId,
          CreationDate: v.creationDate,
        })),
      },
    });
  },
};

import { page } from "./common";
import type { Operation } from "./operation";

export const listAliases: Operation = {
  action: "ListAliases",
  prepare({ store, params }) {
    const { items, ...paging } = page(params, store.allAliases());
    return () => ({
      ...paging,
      Aliases: {
        Alias: items.map((a) => ({
          AliasName: a.aliasName,
          AliasArn: store.aliasArn(a.aliasName),
          KeyId: a.keyId,
        })),
      },
    });
  },
};

import { keyAndVersion } from "./common";
import type { Operation } from "./operation";

export const describeKeyVersion: Operation = {
  action: "DescribeKeyVersion",
  prepare({ store, params }) {
    const { key, version } = keyAndVersion(store, params);
    return () => ({
      KeyVersion: {
        KeyId: key.keyId,
        KeyVersionId: version.keyVersionId,
        CreationDate: version.creationDate,
      },
    });
  },
};

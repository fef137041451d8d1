import { blobAad, cipherOf, formatBlob } from "../keys/symmetric-blob";
import { seal } from "../keys/symmetric";
import { assertReachable, assertSymmetric, assertUsable, encryptionContext, plaintextWithin, required } from "./common";
import type { Operation } from "./operation";

/** Encrypt's documented limit: "6 KB" of plaintext (an older page: 4 KB). */
export const SYMMETRIC_PLAINTEXT_LIMIT = 6144;

export const encrypt: Operation = {
  action: "Encrypt",
  acceptsDryRun: true,
  prepare(context) {
    const { store, params, behaviour } = context;
    const key = store.resolveKey(required(params, "KeyId"));
    assertReachable(context, key);
    assertUsable(key);
    assertSymmetric(key);
    const plaintext = plaintextWithin(params, SYMMETRIC_PLAINTEXT_LIMIT);
    const boundContext = encryptionContext(params, context.behaviour);
    // Which version Encrypt uses is told two ways (Behaviour.symmetricEncryptVersion).
    const version = behaviour.symmetricEncryptVersion === "initial" ? key.versions[0]! : store.primaryVersion(key);
    return () => {
      const material = Buffer.from(version.symmetricMaterial!, "base64");
      const aad = blobAad(key.keyId, version.keyVersionId, boundContext);
      const sealed = seal(cipherOf[key.keySpec]!, material, plaintext, aad);
      return {
        KeyId: key.keyId,
        KeyVersionId: version.keyVersionId,
        CiphertextBlob: formatBlob({ keyId: key.keyId, keyVersionId: version.keyVersionId, ...sealed }),
      };
    };
  },
};

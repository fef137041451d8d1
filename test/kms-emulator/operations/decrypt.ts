import { errors } from "../errors";
import { blobAad, cipherOf, parseBlob } from "../keys/symmetric-blob";
import { open } from "../keys/symmetric";
import { assertReachable, assertSymmetric, assertUsable, base64Bytes, encryptionContext } from "./common";
import type { Operation } from "./operation";

/** Decrypt takes no KeyId: the ciphertext names its key and version. */
export const decrypt: Operation = {
  action: "Decrypt",
  acceptsDryRun: true,
  prepare(context) {
    const { store, params } = context;
    const blob = parseBlob(base64Bytes(params, "CiphertextBlob"));
    if (!blob || !store.hasKey(blob.keyId)) throw errors.invalidCiphertext();
    const key = store.resolveKey(blob.keyId);
    assertReachable(context, key);
    assertUsable(key);
    assertSymmetric(key);
    const version = store.version(key, blob.keyVersionId);
    const boundContext = encryptionContext(params, context.behaviour);
    return () => {
      const material = Buffer.from(version.symmetricMaterial!, "base64");
      // A different encryption context fails the tag exactly as altered bytes do.
      const aad = blobAad(key.keyId, version.keyVersionId, boundContext);
      const plaintext = open(cipherOf[key.keySpec]!, material, blob, aad);
      if (!plaintext) throw errors.invalidCiphertext();
      // The string Encrypt was given, verbatim.
      return { KeyId: key.keyId, KeyVersionId: version.keyVersionId, Plaintext: plaintext.toString("utf8") };
    };
  },
};

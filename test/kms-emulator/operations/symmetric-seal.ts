import { blobAad, cipherOf, formatBlob } from "../keys/symmetric-blob";
import { seal } from "../keys/symmetric";
import type { KeyRecord } from "../store/records";
import { assertReachable, assertSymmetric, assertUsable, encryptionContext, required } from "./common";
import type { OperationContext } from "./operation";

// What Encrypt and GenerateDataKey share: the symmetric key named by KeyId, resolved and checked,
// and a seal of bytes under the version Encrypt uses, with the EncryptionContext bound.

export interface SymmetricSealer {
  key: KeyRecord;
  /** The CiphertextBlob of these bytes, and the version it was sealed under. */
  seal(plaintext: Buffer): { KeyId: string; KeyVersionId: string; CiphertextBlob: string };
}

export function symmetricSealer(context: OperationContext): SymmetricSealer {
  const { store, params, behaviour } = context;
  const key = store.resolveKey(required(params, "KeyId"));
  assertReachable(context, key);
  assertUsable(key);
  assertSymmetric(key);
  const boundContext = encryptionContext(params, behaviour);
  // Which version Encrypt uses is told two ways (Behaviour.symmetricEncryptVersion).
  const version = behaviour.symmetricEncryptVersion === "initial" ? key.versions[0]! : store.primaryVersion(key);
  return {
    key,
    seal(plaintext) {
      const material = Buffer.from(version.symmetricMaterial!, "base64");
      const aad = blobAad(key.keyId, version.keyVersionId, boundContext);
      const sealed = seal(cipherOf[key.keySpec]!, material, plaintext, aad);
      return {
        KeyId: key.keyId,
        KeyVersionId: version.keyVersionId,
        CiphertextBlob: formatBlob({ keyId: key.keyId, keyVersionId: version.keyVersionId, ...sealed }),
      };
    },
  };
}

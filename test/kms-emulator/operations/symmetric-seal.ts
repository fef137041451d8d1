import { errors } from "../errors";
import { blobAad, cipherOf, formatBlob, parseBlob } from "../keys/symmetric-blob";
import { open, seal } from "../keys/symmetric";
import type { KeyRecord } from "../store/records";
import { assertReachable, assertSymmetric, assertUsable, base64Bytes, encryptionContext, required } from "./common";
import type { OperationContext } from "./operation";

// What the symmetric operations share. Sealing (Encrypt, GenerateDataKey, ReEncrypt's destination):
// the key named by KeyId, resolved and checked, and a seal of bytes under the version Encrypt uses,
// with the EncryptionContext bound. Opening (Decrypt, ReEncrypt's source): the key and version the
// CiphertextBlob names, and its bytes under the context given.

export interface SymmetricSealer {
  key: KeyRecord;
  /** The CiphertextBlob of these bytes, and the version it was sealed under. */
  seal(plaintext: Buffer): { KeyId: string; KeyVersionId: string; CiphertextBlob: string };
}

/** `names`: the parameters naming the key and its context (ReEncrypt's differ from Encrypt's). */
export function symmetricSealer(
  context: OperationContext, names = { keyId: "KeyId", encryptionContext: "EncryptionContext" },
): SymmetricSealer {
  const { store, params, behaviour } = context;
  const key = store.resolveKey(required(params, names.keyId));
  assertReachable(context, key);
  assertUsable(key);
  assertSymmetric(key);
  const boundContext = encryptionContext(params, behaviour, names.encryptionContext);
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

/**
 * What Decrypt and ReEncrypt share: the key and version a CiphertextBlob names, checked, and its
 * opening under the context in the parameter `contextName` (undefined when the tag fails).
 */
export function symmetricOpener(context: OperationContext, contextName = "EncryptionContext") {
  const { store, params } = context;
  const blob = parseBlob(base64Bytes(params, "CiphertextBlob"));
  if (!blob || !store.hasKey(blob.keyId)) throw errors.invalidCiphertext();
  const key = store.resolveKey(blob.keyId);
  assertReachable(context, key);
  assertUsable(key);
  assertSymmetric(key);
  const version = store.version(key, blob.keyVersionId);
  const boundContext = encryptionContext(params, context.behaviour, contextName);
  return {
    key,
    version,
    open(): Buffer {
      const material = Buffer.from(version.symmetricMaterial!, "base64");
      // A different encryption context fails the tag exactly as altered bytes do.
      const plaintext = open(cipherOf[key.keySpec]!, material, blob, blobAad(key.keyId, version.keyVersionId, boundContext));
      if (!plaintext) throw errors.invalidCiphertext();
      return plaintext;
    },
  };
}

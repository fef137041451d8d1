import { type Sealed, type SymmetricCipher } from "./symmetric";
import type { KeySpec } from "./key-spec";

// The emulator's CiphertextBlob for Encrypt: real KMS's is opaque (its clients pass it back
// whole), so any self-identifying layout will do. Ours, before base64:
//   0x01 ‖ len ‖ keyId ‖ len ‖ keyVersionId ‖ IV (12) ‖ tag (16) ‖ ciphertext
// with GCM's additional data binding the key, the version and the encryption context:
//   "kms-emulator/encrypt/v1\n" + keyId + "\n" + keyVersionId + "\n" + the context: its JSON with keys
//   sorted, or with Behaviour.encryptionContextMatch "exact" the text as sent

const FORMAT = 0x01;

export const cipherOf: Partial<Record<KeySpec, SymmetricCipher>> = { Aliyun_AES_256: "AES_256_GCM", Aliyun_SM4: "SM4_GCM" };

export interface SymmetricBlob extends Sealed {
  keyId: string;
  keyVersionId: string;
}

export function canonicalContext(context: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** `context`: the context's text as Decrypt must match it (operations/common.ts encryptionContext). */
export function blobAad(keyId: string, keyVersionId: string, context: string): Buffer {
  return Buffer.from(`kms-emulator/encrypt/v1\n${keyId}\n${keyVersionId}\n${context}`, "utf8");
}

export function formatBlob(b: SymmetricBlob): string {
  const id = (s: string) => {
    const bytes = Buffer.from(s, "utf8");
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  };
  return Buffer.concat([Buffer.from([FORMAT]), id(b.keyId), id(b.keyVersionId), b.iv, b.tag, b.ciphertext]).toString("base64");
}

/** The blob's parts, or undefined for anything that is not one of ours. */
export function parseBlob(bytes: Buffer): SymmetricBlob | undefined {
  let offset = 0;
  const take = (n: number) => {
    if (offset + n > bytes.length) return undefined;
    const part = bytes.subarray(offset, offset + n);
    offset += n;
    return part;
  };
  if (take(1)?.[0] !== FORMAT) return undefined;
  const id = () => {
    const length = take(1)?.[0];
    return length === undefined ? undefined : take(length)?.toString("utf8");
  };
  const keyId = id();
  const keyVersionId = id();
  const iv = take(12);
  const tag = take(16);
  if (!keyId || !keyVersionId || !iv || !tag) return undefined;
  return { keyId, keyVersionId, iv, tag, ciphertext: bytes.subarray(offset) };
}

import { isUtf8 } from "node:buffer";
import { STRICT_BASE64 } from "../base64";

// Encrypt's Plaintext is an opaque string that Decrypt returns verbatim (../shared/kms-api.md:
// Alibaba's best-practice page, alicloud_kms_ciphertext and its Encryption SDK all rely on it);
// AsymmetricEncrypt's and CertificatePublicKeyEncrypt's is base64 of the bytes. The KMS layer
// carries a symmetric Plaintext as that string's UTF-8 bytes; what the string means is the
// caller's: a value's own text, or base64 of a data key (as the Encryption SDK sends
// GenerateDataKey's Plaintext).

/** Bytes that are a UTF-8 string and back, unchanged: what a symmetric direct value must be. */
export function isUtf8Text(bytes: Buffer): boolean {
  return isUtf8(bytes);
}

/** A data key as Encrypt's Plaintext: its base64 text (the Encryption SDK's way). */
export function dataKeyAsText(dataKey: Buffer): Buffer {
  return Buffer.from(dataKey.toString("base64"), "utf8");
}

/**
 * The bytes a base64 text in Decrypt's Plaintext carries (a data key's, or a 0.1 value's), or
 * undefined when the text is not strict base64.
 */
export function strictBase64Bytes(text: Buffer): Buffer | undefined {
  const s = text.toString("utf8");
  return s !== "" && STRICT_BASE64.test(s) ? Buffer.from(s, "base64") : undefined;
}

/** What a symmetric data key's base64 text takes: 4 characters for every 3 bytes, padded. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

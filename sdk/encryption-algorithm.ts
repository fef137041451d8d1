/**
 * The encryption algorithms: `RSAES_OAEP_SHA_256` and `RSAES_OAEP_SHA_1` for RSA_2048 / RSA_3072
 * keys and certificates, `SM2PKE` for EC_SM2 (AsymmetricEncrypt, CertificatePublicKeyEncrypt), and
 * `SYMMETRIC_DEFAULT` for Aliyun_AES_256 / Aliyun_SM4 keys (Encrypt, with the cipher KMS chooses).
 */
export type EncryptionAlgorithm = "RSAES_OAEP_SHA_256" | "RSAES_OAEP_SHA_1" | "SM2PKE" | "SYMMETRIC_DEFAULT";

/**
 * Non-secret key–value pairs bound to a symmetric key's ciphertext: KMS's Decrypt refuses it under
 * any other context. Stored in state and in the envelope.
 */
export type EncryptionContext = Record<string, string>;

/** How a value notices that its plaintext changed: a salted digest, or a trigger the program changes. */
export type ChangeDetection = "digest" | "trigger";

/** A recipient as resolved: what each entry of the `recipients` output holds ("" where it does not apply). */
export interface Recipient {
  /** The key's own ID (aliases and ARNs resolved); "" for a certificate. */
  keyId: string;
  /** The key version its data key was wrapped under; "" for a certificate. */
  keyVersionId: string;
  /** The certificate; "" for a key. */
  certificateId: string;
  /** The KMS instance (`kst-…`) the key lives in; "" outside one. */
  kmsInstanceId: string;
  /** The algorithm that wrapped the data key. */
  algorithm: EncryptionAlgorithm;
  /** The key or certificate spec, e.g. RSA_2048 or Aliyun_SM4. */
  keySpec: string;
  /** The region whose KMS wrapped the data key (and decrypts it). */
  region: string;
  /** A symmetric key's encryption context; {} for none. */
  encryptionContext: EncryptionContext;
}

/**
 * How KMS's `Plaintext` carries a value: `"text"`, the value's own UTF-8 text (a symmetric key's
 * Encrypt and Decrypt, as every KMS client reads them); `"base64"`, base64 of its bytes (the
 * asymmetric and certificate operations, data keys, and symmetric values written by 0.1).
 */
export type PlaintextEncoding = "text" | "base64";

/**
 * The format of an `envelope` output. `"native"` (the default): this package's envelope (JSON,
 * formats v2 and v3: any key, certificates, key commitment across recipients). `"encryption-sdk"`:
 * Alibaba Cloud's Encryption SDK message (ASN.1), which `AliyunCrypto.decrypt` in Java, Python or
 * Go opens with nothing of ours; symmetric keys only, one encryption context for all of them.
 */
export type EnvelopeFormat = "native" | "encryption-sdk";

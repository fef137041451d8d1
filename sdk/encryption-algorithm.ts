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
  keyId: string;
  keyVersionId: string;
  certificateId: string;
  kmsInstanceId: string;
  algorithm: EncryptionAlgorithm;
  keySpec: string;
  region: string;
  encryptionContext: EncryptionContext;
}

/**
 * The encryption algorithms KMS offers for asymmetric keys and certificates: `RSAES_OAEP_SHA_256`
 * and `RSAES_OAEP_SHA_1` for RSA_2048 / RSA_3072, `SM2PKE` for EC_SM2.
 */
export type EncryptionAlgorithm = "RSAES_OAEP_SHA_256" | "RSAES_OAEP_SHA_1" | "SM2PKE";

/** How a value notices that its plaintext changed: a salted digest, or a trigger the program changes. */
export type ChangeDetection = "digest" | "trigger";

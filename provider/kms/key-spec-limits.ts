// Which algorithm each key spec takes and the longest plaintext it can encrypt.
// RSAES-OAEP: k - 2·hLen - 2 bytes (k = modulus bytes). SM2PKE: KMS's documented 6047 bytes.
// SYMMETRIC_DEFAULT is KMS's own symmetric encryption (Encrypt/Decrypt), whose cipher KMS chooses:
// the Encrypt page says "6 KB" (an older one 4 KB) of a Plaintext it also calls Base64-encoded, so
// 4 KiB of bytes fits every reading (5,464 base64 characters).

export const ALGORITHMS = ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE", "SYMMETRIC_DEFAULT"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const ENCRYPTION_KEY_SPECS = ["RSA_2048", "RSA_3072", "EC_SM2", "Aliyun_AES_256", "Aliyun_SM4"] as const;
export type EncryptionKeySpec = (typeof ENCRYPTION_KEY_SPECS)[number];

export const SYMMETRIC_PLAINTEXT_BYTES = 4096;

export const keySpecLimits: Record<EncryptionKeySpec, Partial<Record<Algorithm, number>>> = {
  RSA_2048: { RSAES_OAEP_SHA_256: 190, RSAES_OAEP_SHA_1: 214 },
  RSA_3072: { RSAES_OAEP_SHA_256: 318, RSAES_OAEP_SHA_1: 342 },
  EC_SM2: { SM2PKE: 6047 },
  Aliyun_AES_256: { SYMMETRIC_DEFAULT: SYMMETRIC_PLAINTEXT_BYTES },
  Aliyun_SM4: { SYMMETRIC_DEFAULT: SYMMETRIC_PLAINTEXT_BYTES },
};

/** What a key spec is encrypted with when the user names no algorithm. */
export const defaultAlgorithm: Record<EncryptionKeySpec, Algorithm> = {
  RSA_2048: "RSAES_OAEP_SHA_256",
  RSA_3072: "RSAES_OAEP_SHA_256",
  EC_SM2: "SM2PKE",
  Aliyun_AES_256: "SYMMETRIC_DEFAULT",
  Aliyun_SM4: "SYMMETRIC_DEFAULT",
};

/** Symmetric keys: Encrypt and Decrypt, an encryption context, no public key and no version to name. */
export function isSymmetric(algorithm: Algorithm): boolean {
  return algorithm === "SYMMETRIC_DEFAULT";
}

export function isSymmetricKeySpec(keySpec: EncryptionKeySpec): boolean {
  return defaultAlgorithm[keySpec] === "SYMMETRIC_DEFAULT";
}

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === "string" && (ALGORITHMS as readonly string[]).includes(value);
}

export function isEncryptionKeySpec(value: unknown): value is EncryptionKeySpec {
  return typeof value === "string" && (ENCRYPTION_KEY_SPECS as readonly string[]).includes(value);
}

export function algorithmsFor(keySpec: EncryptionKeySpec): Algorithm[] {
  return Object.keys(keySpecLimits[keySpec]) as Algorithm[];
}

/** Largest plaintext in bytes, or undefined when the algorithm does not fit the key spec. */
export function maxPlaintextBytes(keySpec: EncryptionKeySpec, algorithm: Algorithm): number | undefined {
  return keySpecLimits[keySpec][algorithm];
}

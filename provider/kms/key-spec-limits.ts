// Which algorithm each asymmetric key spec takes and the longest plaintext it can encrypt.
// RSAES-OAEP: k - 2·hLen - 2 bytes (k = modulus bytes). SM2PKE: KMS's documented 6047 bytes.

export const ALGORITHMS = ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const ENCRYPTION_KEY_SPECS = ["RSA_2048", "RSA_3072", "EC_SM2"] as const;
export type EncryptionKeySpec = (typeof ENCRYPTION_KEY_SPECS)[number];

export const keySpecLimits: Record<EncryptionKeySpec, Partial<Record<Algorithm, number>>> = {
  RSA_2048: { RSAES_OAEP_SHA_256: 190, RSAES_OAEP_SHA_1: 214 },
  RSA_3072: { RSAES_OAEP_SHA_256: 318, RSAES_OAEP_SHA_1: 342 },
  EC_SM2: { SM2PKE: 6047 },
};

/** What a key spec is encrypted with when the user names no algorithm. */
export const defaultAlgorithm: Record<EncryptionKeySpec, Algorithm> = {
  RSA_2048: "RSAES_OAEP_SHA_256",
  RSA_3072: "RSAES_OAEP_SHA_256",
  EC_SM2: "SM2PKE",
};

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

// What each key spec is, which usages it allows, and which encryption algorithms it accepts with
// how many plaintext bytes (the table in ../shared/kms-api.md).

export const KEY_SPECS = [
  "Aliyun_AES_256",
  "Aliyun_SM4",
  "RSA_2048",
  "RSA_3072",
  "EC_P256",
  "EC_P256K",
  "EC_SM2",
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ["ENCRYPT/DECRYPT", "SIGN/VERIFY"] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const ENCRYPTION_ALGORITHMS = ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE"] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

/** Certificates Manager offers these only (no RSA_3072). */
export const CERTIFICATE_KEY_SPECS = [
  "RSA_2048",
  "EC_P256",
  "EC_SM2",
] as const satisfies readonly KeySpec[];
export type CertificateKeySpec = (typeof CERTIFICATE_KEY_SPECS)[number];

interface KeySpecFacts {
  symmetric: boolean;
  usages: readonly KeyUsage[];
  /** Maximum plaintext bytes per accepted encryption algorithm. */
  encryption: Partial<Record<EncryptionAlgorithm, number>>;
}

export const keySpecFacts: Record<KeySpec, KeySpecFacts> = {
  Aliyun_AES_256: { symmetric: true, usages: ["ENCRYPT/DECRYPT"], encryption: {} },
  Aliyun_SM4: { symmetric: true, usages: ["ENCRYPT/DECRYPT"], encryption: {} },
  RSA_2048: {
    symmetric: false,
    usages: ["ENCRYPT/DECRYPT", "SIGN/VERIFY"],
    encryption: { RSAES_OAEP_SHA_256: 190, RSAES_OAEP_SHA_1: 214 },
  },
  RSA_3072: {
    symmetric: false,
    usages: ["ENCRYPT/DECRYPT", "SIGN/VERIFY"],
    encryption: { RSAES_OAEP_SHA_256: 318, RSAES_OAEP_SHA_1: 342 },
  },
  EC_P256: { symmetric: false, usages: ["SIGN/VERIFY"], encryption: {} },
  EC_P256K: { symmetric: false, usages: ["SIGN/VERIFY"], encryption: {} },
  EC_SM2: { symmetric: false, usages: ["ENCRYPT/DECRYPT", "SIGN/VERIFY"], encryption: { SM2PKE: 6047 } },
};

export const isKeySpec = (value: string): value is KeySpec =>
  (KEY_SPECS as readonly string[]).includes(value);
export const isKeyUsage = (value: string): value is KeyUsage =>
  (KEY_USAGES as readonly string[]).includes(value);
export const isCertificateKeySpec = (value: string): value is CertificateKeySpec =>
  (CERTIFICATE_KEY_SPECS as readonly string[]).includes(value);

/** The plaintext limit for this spec and algorithm, or undefined when the pair is not valid. */
export function maxPlaintextBytes(keySpec: KeySpec, algorithm: string): number | undefined {
  return keySpecFacts[keySpec].encryption[algorithm as EncryptionAlgorithm];
}

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { type EncryptionAlgorithm, type KeySpec, keySpecFacts } from "./key-spec";
import { toPem } from "./pem";
import { rsaDecrypt, rsaEncrypt } from "./rsa";
import {
  generateSm2Key,
  readSm2PrivateKey,
  type Sm2Key,
  sm2Decrypt,
  sm2Encrypt,
  sm2PrivateKeyPem,
  sm2Spki,
} from "./sm2";

// Key material per key spec: generation, loading (checking the material is of the spec it claims),
// and the asymmetric encryption primitives. RSA and NIST curves are node KeyObjects; SM2 is its own.

const rsaBits: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072 };
const ecCurve: Partial<Record<KeySpec, string>> = { EC_P256: "prime256v1", EC_P256K: "secp256k1" };
const symmetricBytes: Partial<Record<KeySpec, number>> = { Aliyun_AES_256: 32, Aliyun_SM4: 16 };

interface KeyEncodings {
  /** PKCS#8 PEM: what --keys-dir writes and OpenSSL reads. */
  privateKeyPem: string;
  /** SPKI PEM: what GetPublicKey answers. */
  publicKeyPem: string;
  spki: Buffer;
}

/** A parsed asymmetric key version or certificate key: what the operations work with. */
export type AsymmetricKey =
  | (KeyEncodings & { kind: "node"; privateKey: KeyObject; publicKey: KeyObject })
  | (KeyEncodings & { kind: "sm2"; sm2: Sm2Key });

export function generatePrivateKeyPem(spec: KeySpec): string {
  if (spec === "EC_SM2") return sm2PrivateKeyPem(generateSm2Key());
  const bits = rsaBits[spec];
  const pair = bits
    ? generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 65537 })
    : generateKeyPairSync("ec", {
        namedCurve: ecCurve[spec] ?? fail(`${spec} is not an asymmetric key spec`),
      });
  return pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Symmetric specs carry opaque random material: the emulator performs no symmetric crypto. */
export function generateSymmetricMaterial(spec: KeySpec): string {
  return randomBytes(symmetricBytes[spec] ?? fail(`${spec} is not a symmetric key spec`)).toString("base64");
}

/** Parses a private key PEM and checks it is of `spec`; the error says what was found instead. */
export function loadAsymmetricKey(privateKeyPem: string, spec: KeySpec): AsymmetricKey {
  const sm2 = readSm2PrivateKey(privateKeyPem);
  if (spec === "EC_SM2" || sm2) {
    if (!sm2) fail("the private key is not an SM2 key");
    if (spec !== "EC_SM2") fail(`the private key is an SM2 key, not ${spec}`);
    const spki = sm2Spki(sm2);
    return {
      kind: "sm2",
      sm2,
      privateKeyPem: sm2PrivateKeyPem(sm2),
      publicKeyPem: toPem("PUBLIC KEY", spki),
      spki,
    };
  }
  const privateKey = createPrivateKey(privateKeyPem);
  const details = privateKey.asymmetricKeyDetails ?? {};
  const found =
    privateKey.asymmetricKeyType === "rsa"
      ? `RSA ${details.modulusLength}`
      : `${privateKey.asymmetricKeyType} ${details.namedCurve}`;
  const expected = rsaBits[spec] ? `RSA ${rsaBits[spec]}` : `ec ${ecCurve[spec]}`;
  if (found !== expected) fail(`the private key is ${found}, not ${spec}`);
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: "spki", format: "der" });
  return {
    kind: "node",
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: toPem("PUBLIC KEY", spki),
    spki,
  };
}

export function isSymmetric(spec: KeySpec): boolean {
  return keySpecFacts[spec].symmetric;
}

export function encryptWith(key: AsymmetricKey, algorithm: EncryptionAlgorithm, plaintext: Buffer): Buffer {
  if (key.kind === "sm2") return sm2Encrypt(key.sm2.publicPoint, plaintext);
  if (algorithm === "SM2PKE") fail("SM2PKE needs an SM2 key");
  return rsaEncrypt(key.publicKey, algorithm, plaintext);
}

/** Undefined when the ciphertext does not decrypt under this key and algorithm. */
export function decryptWith(
  key: AsymmetricKey,
  algorithm: EncryptionAlgorithm,
  ciphertext: Buffer,
): Buffer | undefined {
  if (key.kind === "sm2") return sm2Decrypt(key.sm2.privateScalar, ciphertext);
  if (algorithm === "SM2PKE") return undefined;
  try {
    return rsaDecrypt(key.privateKey, algorithm, ciphertext);
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

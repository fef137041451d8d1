import { sm2 } from "sm-crypto-v2";
import {
  bitString,
  explicit,
  objectIdentifier,
  octetString,
  readChildren,
  readElement,
  readOid,
  readOnly,
  readUnsignedInteger,
  sequence,
  TAG,
  unsignedInteger,
} from "../der";
import { toPem } from "./pem";

// SM2 keys and SM2PKE (GM/T 0003.4). sm-crypto-v2 does the curve arithmetic, KDF and SM3; the
// encodings are ours. Keys never become node KeyObjects: node 20 aborts the process when it exports
// an SM2 key parsed from PEM, so PKCS#8 / SEC1 / SPKI are read and written here.
//
// Ciphertext wire form: GM/T 0009 DER `SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING,
// ciphertext OCTET STRING }` (what OpenSSL's SM2 decryption reads). Decryption also takes raw
// 04‖X‖Y‖C3‖C2.

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const SM2_CURVE = "1.2.156.10197.1.301";
const COORDINATE_BYTES = 32;
const HASH_BYTES = 32;
/** sm-crypto-v2's C1‖C3‖C2 ordering. */
const C1C3C2 = 1;

export interface Sm2Key {
  /** 32-byte private scalar. */
  privateScalar: Buffer;
  /** 65-byte uncompressed public point, 04‖X‖Y. */
  publicPoint: Buffer;
}

export function generateSm2Key(): Sm2Key {
  const pair = sm2.generateKeyPairHex();
  return {
    privateScalar: Buffer.from(pair.privateKey.padStart(64, "0"), "hex"),
    publicPoint: Buffer.from(pair.publicKey, "hex"),
  };
}

function algorithm(): Buffer {
  return sequence(objectIdentifier(EC_PUBLIC_KEY), objectIdentifier(SM2_CURVE));
}

export function sm2Spki(key: Pick<Sm2Key, "publicPoint">): Buffer {
  return sequence(algorithm(), bitString(key.publicPoint));
}

export function sm2PrivateKeyPem(key: Sm2Key): string {
  const ecPrivateKey = sequence(
    unsignedInteger(Buffer.from([1])),
    octetString(key.privateScalar),
    explicit(1, bitString(key.publicPoint)),
  );
  return toPem(
    "PRIVATE KEY",
    sequence(unsignedInteger(Buffer.from([0])), algorithm(), octetString(ecPrivateKey)),
  );
}

/** Reads an SM2 private key from PKCS#8 (`PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`) PEM; undefined if not SM2. */
export function readSm2PrivateKey(pem: string): Sm2Key | undefined {
  const match = /-----BEGIN (EC )?PRIVATE KEY-----([\s\S]+?)-----END \1?PRIVATE KEY-----/.exec(pem);
  if (!match) return undefined;
  try {
    const der = Buffer.from(match[2] ?? "", "base64");
    let ecPrivateKey = readOnly(der);
    if (!match[1]) {
      const [, algorithmId, inner] = readChildren(ecPrivateKey);
      const [kind, curve] = algorithmId ? readChildren(algorithmId) : [];
      if (!kind || !curve || readOid(kind) !== EC_PUBLIC_KEY || readOid(curve) !== SM2_CURVE || !inner)
        return undefined;
      ecPrivateKey = readOnly(inner.content);
    }
    const [, scalar, ...tagged] = readChildren(ecPrivateKey);
    if (!scalar || scalar.tag !== TAG.OCTET_STRING) return undefined;
    const parameters = tagged.find((e) => e.tag === 0xa0);
    if (parameters && readOid(readElement(parameters.content)) !== SM2_CURVE) return undefined;
    const privateScalar = leftPad(scalar.content);
    const publicPoint = Buffer.from(sm2.getPublicKeyFromPrivateKey(privateScalar.toString("hex")), "hex");
    return { privateScalar, publicPoint };
  } catch {
    return undefined;
  }
}

export function sm2Encrypt(publicPoint: Buffer, plaintext: Buffer): Buffer {
  for (;;) {
    // Raw hex output: X‖Y (no 04) ‖ C3 ‖ C2.
    const raw = Buffer.from(sm2.doEncrypt(plaintext, publicPoint.toString("hex"), C1C3C2), "hex");
    const x = raw.subarray(0, COORDINATE_BYTES);
    const y = raw.subarray(COORDINATE_BYTES, 2 * COORDINATE_BYTES);
    const hash = raw.subarray(2 * COORDINATE_BYTES, 2 * COORDINATE_BYTES + HASH_BYTES);
    const body = raw.subarray(2 * COORDINATE_BYTES + HASH_BYTES);
    // A key stream of zeros (C2 = the plaintext) means drawing k again (GM/T 0003.4, step A5), which
    // sm-crypto-v2 does not do; OpenSSL refuses such a ciphertext (1 in 256 for a 1-byte plaintext).
    if (!body.equals(plaintext)) return sequence(unsignedInteger(x), unsignedInteger(y), octetString(hash), octetString(body));
  }
}

/** Undefined when the ciphertext is malformed or its hash does not verify. */
export function sm2Decrypt(privateScalar: Buffer, ciphertext: Buffer): Buffer | undefined {
  const raw = toRawC1C3C2(ciphertext);
  if (!raw) return undefined;
  try {
    const plaintext = sm2.doDecrypt(raw.toString("hex"), privateScalar.toString("hex"), C1C3C2, {
      output: "array",
    });
    // sm-crypto-v2 answers an empty array when C3 does not verify; KMS plaintexts are never empty.
    return plaintext.length > 0 ? Buffer.from(plaintext) : undefined;
  } catch {
    return undefined; // C1 not on the curve
  }
}

/** SM2 signature with SM3 and the default distinguishing ID 1234567812345678, DER-encoded. */
export function sm2Sign(key: Sm2Key, data: Buffer): Buffer {
  const signature = sm2.doSignature(data, key.privateScalar.toString("hex"), {
    hash: true,
    der: true,
    publicKey: key.publicPoint.toString("hex"),
  });
  return Buffer.from(signature, "hex");
}

/** X‖Y‖C3‖C2 (no 04 prefix) from either accepted wire form. */
function toRawC1C3C2(ciphertext: Buffer): Buffer | undefined {
  if (ciphertext[0] === 0x04) {
    return ciphertext.length > 1 + 2 * COORDINATE_BYTES + HASH_BYTES ? ciphertext.subarray(1) : undefined;
  }
  try {
    const fields = readChildren(readOnly(ciphertext));
    const [x, y, hash, body] = fields;
    if (fields.length !== 4 || !x || !y || !hash || !body) return undefined;
    if (
      hash.tag !== TAG.OCTET_STRING ||
      body.tag !== TAG.OCTET_STRING ||
      hash.content.length !== HASH_BYTES
    ) {
      return undefined;
    }
    return Buffer.concat([
      leftPad(readUnsignedInteger(x)),
      leftPad(readUnsignedInteger(y)),
      hash.content,
      body.content,
    ]);
  } catch {
    return undefined;
  }
}

function leftPad(magnitude: Buffer): Buffer {
  if (magnitude.length > COORDINATE_BYTES) throw new Error("coordinate too long");
  return Buffer.concat([Buffer.alloc(COORDINATE_BYTES - magnitude.length), magnitude]);
}

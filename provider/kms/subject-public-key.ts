import { createPublicKey, type KeyObject } from "node:crypto";
import { MessageOnlyError } from "../message-only-error";

// A public key as KMS hands it out (PEM SubjectPublicKeyInfo, from GetPublicKey or a certificate's
// SubjectPublicKey), read into what local encryption needs. SM2 keys are never turned into node
// KeyObjects: node 20 aborts the process when it exports an SM2 key parsed from PEM, so their
// SPKI is read here (SEQUENCE { SEQUENCE { id-ecPublicKey, sm2 }, BIT STRING 04‖X‖Y }).

/** A public key this package cannot use; the message says why, in our words. */
export class PublicKeyError extends MessageOnlyError {}

export type SubjectPublicKey =
  | { kind: "rsa"; key: KeyObject; modulusBits: number }
  | { kind: "sm2"; point: Buffer };

const EC_PUBLIC_KEY = Buffer.from("06072a8648ce3d0201", "hex"); // OID 1.2.840.10045.2.1
const SM2_CURVE = Buffer.from("06082a811ccf5501822d", "hex"); // OID 1.2.156.10197.1.301
const SM2_POINT_BYTES = 65;

/** One DER element at `offset`: its tag, where its content starts and ends. */
function element(der: Buffer, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new PublicKeyError("truncated DER");
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 3) throw new PublicKeyError("unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new PublicKeyError("truncated DER");
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  if (start + length > der.length) throw new PublicKeyError("truncated DER");
  return { tag, start, end: start + length };
}

function sm2Point(der: Buffer): Buffer | undefined {
  const spki = element(der, 0);
  const algorithm = element(der, spki.start);
  const algorithmBytes = der.subarray(algorithm.start, algorithm.end);
  if (!algorithmBytes.equals(Buffer.concat([EC_PUBLIC_KEY, SM2_CURVE]))) return undefined;
  const bits = element(der, algorithm.end);
  // BIT STRING: one leading "unused bits" byte (0), then the uncompressed point.
  const point = der.subarray(bits.start + 1, bits.end);
  if (bits.tag !== 0x03 || der[bits.start] !== 0 || point.length !== SM2_POINT_BYTES || point[0] !== 0x04) {
    throw new PublicKeyError("the SM2 public key is not an uncompressed point");
  }
  return Buffer.from(point);
}

/** Reads a PEM public key; throws with a plain message when it is neither RSA nor SM2. */
export function readSubjectPublicKey(pem: string): SubjectPublicKey {
  const body = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem)?.[1];
  if (!body) throw new PublicKeyError("the public key is not a PEM SubjectPublicKeyInfo");
  const point = sm2Point(Buffer.from(body, "base64"));
  if (point) return { kind: "sm2", point };
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new PublicKeyError("the public key is not a valid PEM SubjectPublicKeyInfo");
  }
  if (key.asymmetricKeyType !== "rsa") throw new PublicKeyError(`the public key is ${key.asymmetricKeyType ?? "of an unknown type"}, not RSA or SM2`);
  return { kind: "rsa", key, modulusBits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
}

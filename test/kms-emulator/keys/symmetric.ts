import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from "node:crypto";

// The emulator's symmetric encryption for Encrypt/Decrypt: GCM (96-bit IV, 128-bit tag) over
// AES-256 for Aliyun_AES_256 and over SM4 for Aliyun_SM4. Node's OpenSSL has AES-GCM but no
// SM4-GCM, so SM4's GCM is built here from the SM4 block cipher (sm4-ecb) and GHASH, per NIST SP
// 800-38D. Both are checked against Go's crypto/cipher GCM (test/independent-crypto).

export type SymmetricCipher = "AES_256_GCM" | "SM4_GCM";

export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(
  cipher: SymmetricCipher, key: Buffer, plaintext: Buffer, aad: Buffer, iv: Buffer = randomBytes(IV_BYTES),
): Sealed {
  if (cipher === "AES_256_GCM") {
    const c = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    c.setAAD(aad);
    const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
    return { iv, ciphertext, tag: c.getAuthTag() };
  }
  const ciphertext = sm4Ctr(key, iv, plaintext);
  return { iv, ciphertext, tag: sm4GcmTag(key, iv, aad, ciphertext) };
}

/** The plaintext, or undefined when the tag does not verify (wrong key, AAD or altered bytes). */
export function open(cipher: SymmetricCipher, key: Buffer, sealed: Sealed, aad: Buffer): Buffer | undefined {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return undefined;
  if (cipher === "AES_256_GCM") {
    try {
      const d = createDecipheriv("aes-256-gcm", key, sealed.iv, { authTagLength: TAG_BYTES });
      d.setAAD(aad);
      d.setAuthTag(sealed.tag);
      return Buffer.concat([d.update(sealed.ciphertext), d.final()]);
    } catch {
      return undefined;
    }
  }
  const expected = sm4GcmTag(key, sealed.iv, aad, sealed.ciphertext);
  return timingSafeEqual(expected, sealed.tag) ? sm4Ctr(key, sealed.iv, sealed.ciphertext) : undefined;
}

function sm4Block(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv("sm4-ecb", key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** Counter block i (big-endian 32-bit counter after the 96-bit IV); J0 is i = 1. */
function counterBlock(iv: Buffer, i: number): Buffer {
  const block = Buffer.alloc(16);
  iv.copy(block);
  block.writeUInt32BE(i >>> 0, 12);
  return block;
}

/** GCTR from J0 + 1: the keystream XORed over the data. */
function sm4Ctr(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const out = Buffer.alloc(data.length);
  for (let offset = 0, i = 2; offset < data.length; offset += 16, i++) {
    const stream = sm4Block(key, counterBlock(iv, i));
    for (let j = 0; j < 16 && offset + j < data.length; j++) out[offset + j] = data[offset + j]! ^ stream[j]!;
  }
  return out;
}

/** Multiplication in GF(2^128) with GCM's bit order and reduction polynomial. */
function gfMultiply(x: bigint, y: bigint): bigint {
  const R = 0xe1n << 120n;
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

const toBig = (block: Buffer) => BigInt(`0x${block.toString("hex") || "0"}`);

function ghash(h: bigint, aad: Buffer, ciphertext: Buffer): bigint {
  let y = 0n;
  const absorb = (data: Buffer) => {
    for (let offset = 0; offset < data.length; offset += 16) {
      const block = Buffer.alloc(16);
      data.copy(block, 0, offset, Math.min(offset + 16, data.length));
      y = gfMultiply(y ^ toBig(block), h);
    }
  };
  absorb(aad);
  absorb(ciphertext);
  const lengths = Buffer.alloc(16);
  lengths.writeBigUInt64BE(BigInt(aad.length * 8), 0);
  lengths.writeBigUInt64BE(BigInt(ciphertext.length * 8), 8);
  return gfMultiply(y ^ toBig(lengths), h);
}

function sm4GcmTag(key: Buffer, iv: Buffer, aad: Buffer, ciphertext: Buffer): Buffer {
  const h = toBig(sm4Block(key, Buffer.alloc(16)));
  const s = ghash(h, aad, ciphertext);
  const tag = Buffer.from(s.toString(16).padStart(32, "0"), "hex");
  const mask = sm4Block(key, counterBlock(iv, 1));
  for (let j = 0; j < 16; j++) tag[j] = tag[j]! ^ mask[j]!;
  return tag;
}

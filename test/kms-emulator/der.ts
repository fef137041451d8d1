// Minimal DER (X.690) encoding and reading: enough for X.509 certificates, CSRs, SEC1 keys and
// GM/T 0009 SM2 ciphertexts. Lengths are definite; tags are single-byte.

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export const sequence = (...items: Buffer[]) => tlv(TAG.SEQUENCE, Buffer.concat(items));
export const set = (...items: Buffer[]) => tlv(TAG.SET, Buffer.concat(items));
export const octetString = (bytes: Buffer) => tlv(TAG.OCTET_STRING, bytes);
export const bitString = (bytes: Buffer) => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), bytes]));
export const nullValue = () => tlv(TAG.NULL, Buffer.alloc(0));
export const utf8String = (text: string) => tlv(TAG.UTF8_STRING, Buffer.from(text, "utf8"));
export const printableString = (text: string) => tlv(TAG.PRINTABLE_STRING, Buffer.from(text, "ascii"));
export const explicit = (tagNumber: number, item: Buffer) => tlv(0xa0 | tagNumber, item);
export const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));

/** A non-negative INTEGER from its unsigned big-endian magnitude. */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const needsPad = trimmed.length === 0 || (trimmed[0] as number) & 0x80;
  return tlv(TAG.INTEGER, needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split(".").map((arc) => BigInt(arc));
  const [first = 0n, second = 0n, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(bytes));
}

/** UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 requires. */
export function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHmmss
  return date.getUTCFullYear() < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${iso}Z`, "ascii"));
}

export interface Element {
  tag: number;
  /** The element's content octets. */
  content: Buffer;
  /** The whole element, header included. */
  encoded: Buffer;
}

export class DerError extends Error {}

/** Reads one element at `offset`; throws DerError on anything malformed. */
export function readElement(buffer: Buffer, offset = 0): Element {
  if (offset + 2 > buffer.length) throw new DerError("truncated DER header");
  const tag = buffer[offset] as number;
  let length = buffer[offset + 1] as number;
  let headerLength = 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4 || offset + 2 + lengthBytes > buffer.length) {
      throw new DerError("unsupported DER length");
    }
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + (buffer[offset + 2 + i] as number);
    headerLength += lengthBytes;
  }
  const end = offset + headerLength + length;
  if (end > buffer.length) throw new DerError("truncated DER content");
  return {
    tag,
    content: buffer.subarray(offset + headerLength, end),
    encoded: buffer.subarray(offset, end),
  };
}

/** The children of a constructed element (SEQUENCE, SET, explicit tag). */
export function readChildren(element: Element): Element[] {
  const children: Element[] = [];
  for (let offset = 0; offset < element.content.length;) {
    const child = readElement(element.content, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}

/** Reads a whole buffer as exactly one element (trailing bytes are an error). */
export function readOnly(buffer: Buffer): Element {
  const element = readElement(buffer);
  if (element.encoded.length !== buffer.length) throw new DerError("trailing bytes after DER element");
  return element;
}

export function readOid(element: Element): string {
  if (element.tag !== TAG.OID) throw new DerError("expected an OBJECT IDENTIFIER");
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of element.content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [first = 0n, ...rest] = arcs;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...rest].join(".");
}

/** The unsigned magnitude of a non-negative INTEGER. */
export function readUnsignedInteger(element: Element): Buffer {
  if (element.tag !== TAG.INTEGER || element.content.length === 0) throw new DerError("expected an INTEGER");
  if ((element.content[0] as number) & 0x80) throw new DerError("negative INTEGER");
  return element.content[0] === 0 ? element.content.subarray(1) : element.content;
}

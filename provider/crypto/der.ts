// The few DER (ITU-T X.690) shapes Alibaba's Encryption SDK message uses: SEQUENCE, SET OF,
// INTEGER (small, non-negative) and OCTET STRING. Reading is strict (definite lengths, minimal
// length and integer encodings, nothing after the end) and bounded: a message is read from a
// string anyone could have written.

export const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, SEQUENCE: 0x30, SET: 0x31 } as const;

/** Malformed DER; the message names what, never the bytes. */
export class DerError extends Error {}

/** DER that ends before an element does: cut short, rather than malformed. */
export class DerTruncatedError extends DerError {}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

export const octets = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b);
export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));

/** SET OF: DER orders the encoded elements as byte strings (shorter first when one is a prefix). */
export function setOf(items: Buffer[]): Buffer {
  return tlv(TAG.SET, Buffer.concat([...items].sort(Buffer.compare)));
}

export function integer(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new DerError("an INTEGER here is a small non-negative number");
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || bytes[0]! >= 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

export interface Element {
  tag: number;
  content: Buffer;
}

/** The elements one after another in `data`, all of it. */
export function elements(data: Buffer): Element[] {
  return [...eachElement(data)];
}

/**
 * The tag-and-length header of the element at `at`: its bytes and its content's declared size (which
 * may run past the data: the caller decides). Throws DerTruncatedError when the header itself is cut
 * off, DerError when its length is not DER's.
 */
export function headerAt(data: Buffer, at: number): { header: number; size: number } {
  const first = data[at + 1];
  if (first === undefined) throw new DerTruncatedError("an element is cut off");
  if (!(first & 0x80)) return { header: 2, size: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new DerError("a length is indefinite or too large");
  if (at + 2 + count > data.length) throw new DerTruncatedError("a length is cut off");
  let size = 0;
  for (let i = 0; i < count; i++) size = size * 256 + data[at + 2 + i]!;
  if (data[at + 2] === 0 || size < 0x80) throw new DerError("a length is not in its shortest form");
  return { header: 2 + count, size };
}

/**
 * The elements of `data` one at a time, so that a reader can stop at the first one past a bound
 * without splitting (and paying for) the rest of a hostile SET.
 */
export function* eachElement(data: Buffer): Generator<Element> {
  let at = 0;
  while (at < data.length) {
    const tag = data[at]!;
    const { header, size } = headerAt(data, at);
    if (at + header + size > data.length) throw new DerTruncatedError("an element is longer than the data");
    yield { tag, content: data.subarray(at + header, at + header + size) };
    at += header + size;
  }
}

/** Exactly one element of this tag, filling `data`. */
export function only(data: Buffer, tag: number, what: string): Buffer {
  const all = elements(data);
  if (all.length !== 1 || all[0]!.tag !== tag) throw new DerError(`${what} is not one element of the expected type`);
  return all[0]!.content;
}

/** A SEQUENCE's fields, each of the tag given, in order. */
export function fields(content: Buffer, tags: readonly number[], what: string): Buffer[] {
  const all = elements(content);
  if (all.length !== tags.length || all.some((e, i) => e.tag !== tags[i])) throw new DerError(`${what} does not have the expected fields`);
  return all.map((e) => e.content);
}

export function readInteger(content: Buffer, what: string): number {
  if (content.length === 0 || content.length > 4 || (content[0]! & 0x80)) throw new DerError(`${what} is not a small non-negative INTEGER`);
  if (content.length > 1 && content[0] === 0 && !(content[1]! & 0x80)) throw new DerError(`${what} is not in its shortest form`);
  return content.reduce((n, b) => n * 256 + b, 0);
}

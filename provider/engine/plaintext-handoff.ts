// Check sees the plaintext; create and update need it; nothing in between may store it. The engine
// runs check, diff and create/update of one deployment in the same provider process, so check
// leaves a copy of the bytes here under the value's URN (which the SDK sends as `valueUrn` and check
// returns among the checked inputs), and create/update take it back.
//
// Keyed by URN because a URN names exactly one resource in a deployment: two values may share a
// name (under different parents), a plaintext or a digest, never a URN. Each create takes its entry
// out and owns those bytes until it wipes them, so no create can encrypt a buffer that another has
// wiped. Entries live only in this process's memory, and are wiped once taken or once diff says
// there is nothing to do.

export class PlaintextHandoff {
  private readonly entries = new Map<string, Buffer>();

  /** Keeps a copy of `plaintext` for the value `valueUrn`, replacing (and wiping) any earlier one. */
  put(valueUrn: string, plaintext: Buffer): void {
    this.release(valueUrn);
    this.entries.set(valueUrn, Buffer.from(plaintext));
  }

  /** The value's plaintext, now the caller's to wipe; undefined when check did not leave one. */
  take(valueUrn: string): Buffer | undefined {
    const plaintext = this.entries.get(valueUrn);
    this.entries.delete(valueUrn);
    return plaintext;
  }

  release(valueUrn: string): void {
    this.take(valueUrn)?.fill(0);
  }

  get size(): number {
    return this.entries.size;
  }
}

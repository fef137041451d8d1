// Check sees the plaintext; create and update need it; nothing in between may store it. The engine
// runs check, diff and create/update of one deployment in the same provider process, so check
// leaves a copy of the bytes here under the value's URN (which the SDK sends as `valueUrn` and check
// returns among the checked inputs), and create/update take it back.
//
// Keyed by URN because a URN names exactly one resource in a deployment: two values may share a
// name (under different parents), a plaintext or a digest, never a URN. Each create takes its entry
// out and owns those bytes until it wipes them, so no create can encrypt a buffer that another has
// wiped. Entries live only in this process's memory, and are wiped once taken or once diff says
// there is nothing to do. A map of values (EncryptedValues) leaves one entry per name under its URN.

export class PlaintextHandoff {
  private readonly entries = new Map<string, Map<string, Buffer>>();

  /** Keeps a copy of `plaintext` for the value `valueUrn`, replacing (and wiping) any earlier one. */
  put(valueUrn: string, plaintext: Buffer): void {
    this.putEntries(valueUrn, new Map([["", plaintext]]));
  }

  /** Keeps a copy of each named plaintext of the values at `valueUrn`, replacing any earlier ones. */
  putEntries(valueUrn: string, plaintexts: ReadonlyMap<string, Buffer>): void {
    this.release(valueUrn);
    this.entries.set(valueUrn, new Map([...plaintexts].map(([name, bytes]) => [name, Buffer.from(bytes)])));
  }

  /** The value's plaintext, now the caller's to wipe; undefined when check did not leave one. */
  take(valueUrn: string): Buffer | undefined {
    return this.takeEntries(valueUrn)?.get("");
  }

  /** The named plaintexts, now the caller's to wipe, every one; undefined when check left none. */
  takeEntries(valueUrn: string): Map<string, Buffer> | undefined {
    const plaintexts = this.entries.get(valueUrn);
    this.entries.delete(valueUrn);
    return plaintexts;
  }

  release(valueUrn: string): void {
    for (const bytes of this.takeEntries(valueUrn)?.values() ?? []) bytes.fill(0);
  }

  get size(): number {
    return this.entries.size;
  }
}

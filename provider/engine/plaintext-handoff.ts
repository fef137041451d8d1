import { randomBytes } from "node:crypto";

// Check sees the plaintext; create and update need it; nothing in between may store it. The engine
// runs check, diff and create/update of one deployment in the same provider process, so check
// leaves the bytes here under a handle it returns in the checked inputs (the scrypt digest, or a
// random "none$…" handle when changeDetection is "trigger"), and create/update take them back.
// Entries live only in this process's memory: they are wiped once used or once diff says there is
// nothing to do.

export class PlaintextHandoff {
  private readonly entries = new Map<string, Buffer>();

  put(handle: string, plaintext: Buffer): void {
    const previous = this.entries.get(handle);
    if (previous && previous !== plaintext) previous.fill(0);
    this.entries.set(handle, Buffer.from(plaintext));
  }

  /** The plaintext for a handle, still held until release(). */
  peek(handle: string): Buffer | undefined {
    return this.entries.get(handle);
  }

  release(handle: string): void {
    this.entries.get(handle)?.fill(0);
    this.entries.delete(handle);
  }

  get size(): number {
    return this.entries.size;
  }
}

const RANDOM_HANDLE = /^none\$[A-Za-z0-9_-]{22}$/;

/**
 * A handle that says nothing about the plaintext, for changeDetection "trigger". The previous one is
 * kept so the stored inputs do not churn between deployments.
 */
export function randomHandle(previous?: unknown): string {
  if (typeof previous === "string" && RANDOM_HANDLE.test(previous)) return previous;
  return `none$${randomBytes(16).toString("base64url")}`;
}

/**
 * Remembers each signature nonce for as long as a request carrying it could still be accepted: the
 * timestamp check lets a request in while |now - timestamp| is within the window, so a request
 * stamped up to a window ahead stays acceptable until timestamp + window, and so must its nonce.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly windowMs: number) {}

  /** Records the nonce of a request stamped `timestamp`; false if it was already seen and may not recur yet. */
  remember(nonce: string, now: number, timestamp = now): boolean {
    if (now >= this.nextSweep) this.sweep(now);
    const expiry = this.seen.get(nonce);
    if (expiry !== undefined && expiry > now) return false;
    this.seen.set(nonce, Math.max(now, timestamp) + this.windowMs);
    return true;
  }

  private sweep(now: number): void {
    for (const [nonce, expiry] of this.seen) if (expiry <= now) this.seen.delete(nonce);
    this.nextSweep = now + this.windowMs / 4;
  }
}

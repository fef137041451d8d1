/** Remembers each signature nonce for the replay window, so a reused one can be refused. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly windowMs: number) {}

  /** Records the nonce; false if it was already seen within the window. */
  remember(nonce: string, now: number): boolean {
    if (now >= this.nextSweep) this.sweep(now);
    const expiry = this.seen.get(nonce);
    if (expiry !== undefined && expiry > now) return false;
    this.seen.set(nonce, now + this.windowMs);
    return true;
  }

  private sweep(now: number): void {
    for (const [nonce, expiry] of this.seen) if (expiry <= now) this.seen.delete(nonce);
    this.nextSweep = now + this.windowMs / 4;
  }
}

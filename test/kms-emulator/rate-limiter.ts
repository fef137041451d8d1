/** Per-caller token buckets: `qps` calls per second, with a burst of one second's worth. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly qps: number) {}

  allow(caller: string, nowMs: number = performance.now()): boolean {
    const bucket = this.buckets.get(caller) ?? { tokens: this.qps, at: nowMs };
    bucket.tokens = Math.min(this.qps, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.qps);
    bucket.at = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(caller, bucket);
    return allowed;
  }
}

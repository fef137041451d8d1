export interface StatsSnapshot {
  calls: Record<string, number>;
  dryRunCalls: Record<string, number>;
  throttled: number;
  /** Authenticated calls by signature: HMAC-SHA1 (v1), ACS3-HMAC-SHA256, ACS3-HMAC-SM3. */
  signatures: Record<string, number>;
}

/** Calls by Action (dry runs and refused calls included), the dry runs among them, and throttled calls. */
export class Stats {
  private calls = new Map<string, number>();
  private dryRunCalls = new Map<string, number>();
  private throttled = 0;
  private signatures = new Map<string, number>();

  recordSignature(signature: string): void {
    this.signatures.set(signature, (this.signatures.get(signature) ?? 0) + 1);
  }

  record(action: string, dryRun: boolean): void {
    this.calls.set(action, (this.calls.get(action) ?? 0) + 1);
    if (dryRun) this.dryRunCalls.set(action, (this.dryRunCalls.get(action) ?? 0) + 1);
  }

  recordThrottled(): void {
    this.throttled++;
  }

  reset(): void {
    this.calls = new Map();
    this.dryRunCalls = new Map();
    this.throttled = 0;
    this.signatures = new Map();
  }

  snapshot(): StatsSnapshot {
    return {
      calls: Object.fromEntries(this.calls),
      dryRunCalls: Object.fromEntries(this.dryRunCalls),
      throttled: this.throttled,
      signatures: Object.fromEntries(this.signatures),
    };
  }
}

import { setTimeout as sleep } from "node:timers/promises";

// KMS throttles per account, so one caller's "slow down" concerns every call this process makes
// to that region. The gate makes them all pause together: each throttled answer pushes the
// shared resume time out (doubling, with jitter, up to a cap); answers that get through shrink it.

export class ThrottleGate {
  private resumeAt = 0;
  private pauseMs = 0;

  constructor(
    private readonly basePauseMs = 200,
    private readonly maxPauseMs = 4_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** Waits until calls may go out again. */
  async pass(): Promise<void> {
    const wait = this.resumeAt - Date.now();
    if (wait > 0) await sleep(wait);
  }

  throttled(): void {
    this.pauseMs = Math.min(this.maxPauseMs, this.pauseMs ? this.pauseMs * 2 : this.basePauseMs);
    this.resumeAt = Math.max(this.resumeAt, Date.now() + this.pauseMs * (0.5 + this.random() / 2));
  }

  succeeded(): void {
    this.pauseMs = this.pauseMs > this.basePauseMs ? this.pauseMs / 2 : 0;
  }
}

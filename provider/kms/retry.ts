import { setTimeout as sleep } from "node:timers/promises";

// Exponential backoff with full jitter, bounded in attempts and in total time, so a deployment
// either completes or fails with a clear error in a known time. Throttling gets more attempts
// than failures do: it says "later", not "broken", and the throttle gate spaces them out.

export interface RetryPolicy {
  /** Attempts when calls fail (5xx, no answer). */
  maxAttempts: number;
  /** Attempts when calls are throttled. */
  maxThrottledAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this much time has passed since the first. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  maxThrottledAttempts: 20,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  budgetMs: 30_000,
};

export type Verdict = "throttled" | "failed" | "final";

export async function withRetry<T>(
  attempt: () => Promise<T>,
  classify: (error: unknown) => Verdict,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): Promise<T> {
  const started = Date.now();
  let failed = 0;
  let throttled = 0;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const verdict = classify(error);
      if (verdict === "final") throw error;
      if (verdict === "failed" && ++failed >= policy.maxAttempts) throw error;
      if (verdict === "throttled" && ++throttled >= policy.maxThrottledAttempts) throw error;
      const n = failed + throttled;
      const delay = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      if (Date.now() - started + delay > policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
}

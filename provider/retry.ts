import { setTimeout as sleep } from "node:timers/promises";

// Exponential backoff with full jitter, bounded both in attempts and in total time, so a
// deployment either completes or fails with a clear error in a known time.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this much time has passed since the first. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 2_000, budgetMs: 20_000 };

export async function withRetry<T>(
  attempt: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || n >= policy.maxAttempts) throw error;
      const delay = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      if (Date.now() - started + delay > policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
}

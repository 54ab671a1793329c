export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

// SERIALIZABLE bookings of unrelated seats can still collide on shared index pages (PostgreSQL
// predicate-locks btree pages); such false conflicts clear on retry, so be generous.
export const SERIALIZATION_RETRY: RetryPolicy = { attempts: 12, baseDelayMs: 2, maxDelayMs: 200 };

/**
 * Runs `work` until it succeeds, `isRetryable` says no, or attempts run out. Waits between
 * attempts with capped exponential backoff and full jitter, so colliding transactions spread out.
 */
export async function retrying<T>(
  work: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy = SERIALIZATION_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw error;
      await backOff(policy, attempt);
    }
  }
}

/** Waits at random up to `baseDelayMs` × 2^`attempt`, at most `maxDelayMs` (capped exponential backoff, full jitter). */
export function backOff(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, attempt: number): Promise<void> {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

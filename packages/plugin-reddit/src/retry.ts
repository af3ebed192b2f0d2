import { computeRetryDelayMs } from '@sluice/core';

/** Retry policy of Reddit requests (5xx, 408, 429 and connection errors). */
export interface RetryPolicy {
  /** Attempts in all, including the first. Default 5. */
  maxAttempts: number;
  /** Delay before the first retry, doubled each time. Default 1s. */
  baseDelayMs: number;
  /** Cap on one delay. Default 60s. */
  maxDelayMs: number;
}

/** The default retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Jittered exponential backoff before retry number `retry` (1-based): a random point between half and
 * all of `baseDelayMs × 2^(retry−1)`, capped at `maxDelayMs`. `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  // The core's retry delay (equal jitter, capped), so every retry in Sluice backs off the same way.
  return computeRetryDelayMs({ retryDelayMs: policy.baseDelayMs, exponentialBackoff: true, maxRetryDelayMs: policy.maxDelayMs }, retry, random);
}

/** HTTP statuses worth retrying besides 429: request timeout and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || (status >= 500 && status <= 599);
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

import { sleep } from '@sluice/core';

/** The source of time for the rate limiter, token expiry and retry backoff; tests pass a fake one. */
export interface RedditTime {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds (rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time: `Date.now()` and a cancellable `setTimeout`. */
export const systemTime: RedditTime = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
};

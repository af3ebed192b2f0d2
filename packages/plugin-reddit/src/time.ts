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
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

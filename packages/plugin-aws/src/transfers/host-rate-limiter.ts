/** A per-host rate limit: requests to one host start at least `intervalMs` apart. */
import { sleep } from '@sluice/core';

/** Spaces out request starts per host name; different hosts do not wait for each other. */
export class HostRateLimiter {
  private readonly nextStart = new Map<string, number>();

  /** @param intervalMs - minimum time between two request starts to the same host. */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Waits until a request to `host` may start and reserves that slot.
   * @throws the signal's reason when `signal` aborts while waiting.
   */
  async acquire(host: string, signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextStart.get(host) ?? now);
    this.nextStart.set(host, slot + this.intervalMs);
    const wait = slot - now;
    if (wait > 0) await sleep(wait, signal);
  }
}

/** The core's cancellable sleep, re-exported for this package's users. */
export { sleep };

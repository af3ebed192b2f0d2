import { systemTime, type RedditTime } from './time.js';

/** Reddit's documented budget: 100 queries per minute per client, averaged over a 10-minute window. */
export const REDDIT_DEFAULT_BUDGET = { requests: 1000, windowMs: 600_000 } as const;

/** What the limiter knows from the last response's `X-Ratelimit-*` headers. */
export interface RateLimitState {
  /** Requests left in the window (`X-Ratelimit-Remaining`), or `undefined` before the first response. */
  remaining: number | undefined;
  /** When the window resets (epoch ms, from `X-Ratelimit-Reset` seconds). */
  resetAt: number | undefined;
  /** Requests used in the window (`X-Ratelimit-Used`). */
  used: number | undefined;
}

/**
 * Paces requests of one Reddit client id from Reddit's rate-limit headers:
 * - the remaining requests are spread evenly over the time left until the reset;
 * - with none remaining, it waits for the reset;
 * - after a 429 it waits `Retry-After` before the next request ({@link blockFor}).
 *
 * Callers are served one at a time in arrival order, so concurrent tasks share the budget.
 */
export class RedditRateLimiter {
  private state: RateLimitState = { remaining: undefined, resetAt: undefined, used: undefined };
  private blockedUntil = 0;
  private lastGrantAt: number | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly time: RedditTime = systemTime) {}

  /** The current header-derived state (a copy). */
  snapshot(): RateLimitState {
    return { ...this.state };
  }

  /** Waits until one more request may be sent, then counts it against the remaining budget. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForTurn(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Records the `X-Ratelimit-*` headers of a response (missing headers leave the state unchanged). */
  update(headers: Headers): void {
    const remaining = parseNumber(headers.get('x-ratelimit-remaining'));
    const reset = parseNumber(headers.get('x-ratelimit-reset'));
    const used = parseNumber(headers.get('x-ratelimit-used'));
    if (remaining !== undefined) this.state.remaining = Math.floor(remaining);
    if (reset !== undefined) this.state.resetAt = this.time.now() + reset * 1000;
    if (used !== undefined) this.state.used = used;
  }

  /** Sends nothing for `ms` milliseconds (a 429's `Retry-After`). */
  blockFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.time.now() + ms);
  }

  /** How long the next request has to wait from now (0 = it may go at once). */
  delayBeforeNext(): number {
    const now = this.time.now();
    let until = this.blockedUntil;
    const { remaining, resetAt } = this.state;
    if (remaining !== undefined && resetAt !== undefined && resetAt > now) {
      if (remaining <= 0) {
        until = Math.max(until, resetAt);
      } else if (this.lastGrantAt !== undefined) {
        // N requests left for T: one every T/(N+1), so the last one is not squeezed against the reset.
        const spacing = (resetAt - now) / (remaining + 1);
        until = Math.max(until, this.lastGrantAt + spacing);
      }
    } else if (remaining !== undefined && resetAt !== undefined && resetAt <= now) {
      // The window has reset; the next response tells us the new budget.
      this.state.remaining = undefined;
    }
    return Math.max(0, until - now);
  }

  private async waitForTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const delay = this.delayBeforeNext();
      if (delay <= 0) break;
      await this.time.sleep(delay, signal);
    }
    this.lastGrantAt = this.time.now();
    if (this.state.remaining !== undefined) this.state.remaining -= 1;
  }
}

function parseNumber(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

const limiters = new Map<string, RedditRateLimiter>();

/**
 * The process-wide limiter of a Reddit client id: every hook (every task) using the same client id gets
 * the same limiter, so they share one budget. `time` is used only when the limiter is created.
 */
export function rateLimiterFor(clientId: string, time: RedditTime = systemTime): RedditRateLimiter {
  let limiter = limiters.get(clientId);
  if (!limiter) {
    limiter = new RedditRateLimiter(time);
    limiters.set(clientId, limiter);
  }
  return limiter;
}

/** Forgets every shared limiter (tests, or a process that re-reads its connections). */
export function resetRateLimiters(): void {
  limiters.clear();
}

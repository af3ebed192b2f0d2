import type { RedditTime } from '../time.js';

/**
 * A fake {@link RedditTime}: `sleep` returns at once and moves the clock forward, and every sleep is
 * recorded, so tests check pacing exactly without waiting.
 */
export class FakeTime implements RedditTime {
  /** Every requested sleep, in milliseconds, in order. */
  readonly sleeps: number[] = [];
  private current: number;

  constructor(start: Date | number | string = '2026-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }

  /** The fake current time (epoch ms). */
  now(): number {
    return this.current;
  }

  /** Records the sleep and advances the clock by `ms`. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
  }

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.current += ms;
  }
}

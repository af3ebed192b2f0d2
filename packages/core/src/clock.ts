/** The source of "now" for scheduling; tests pass a manual clock. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to, for tests and simulations. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string | number) {
    this.current = new Date(start).getTime();
  }
  /** The current (manual) time. */
  now(): Date {
    return new Date(this.current);
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Sets the clock to `to`. */
  set(to: Date | string | number): void {
    this.current = new Date(to).getTime();
  }
}

/** Reads the database's current time (`SELECT now()`-like); the {@link DatabaseClock} samples it. */
export type DatabaseNow = () => Promise<Date>;

/**
 * The database's time, read without a query per call: a local clock plus an offset sampled from the
 * database (on {@link DatabaseClock.sync}, and again when older than `resampleMs`, by
 * {@link DatabaseClock.maybeSync}). Every process that schedules with it agrees on time within the sampling
 * error (half a round trip), whatever its own clock says. Until the first sample it is the local clock.
 */
export class DatabaseClock implements Clock {
  private offsetMs = 0;
  private sampledAt = -Infinity;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly databaseNow: DatabaseNow,
    private readonly local: Clock = systemClock,
    private readonly resampleMs = 5 * 60_000,
  ) {}

  /** Local time corrected by the last sampled offset. */
  now(): Date {
    return new Date(this.local.now().getTime() + this.offsetMs);
  }

  /** Database time minus local time, as last sampled (ms). */
  get offset(): number {
    return this.offsetMs;
  }

  /** Samples the offset now (one round trip). Errors propagate; the previous offset stays. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      const before = performance.now();
      const localBefore = this.local.now().getTime();
      const db = (await this.databaseNow()).getTime();
      const roundTrip = performance.now() - before;
      this.offsetMs = db - (localBefore + roundTrip / 2);
      this.sampledAt = performance.now();
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Samples when never sampled or the last sample is older than `resampleMs`. */
  async maybeSync(): Promise<void> {
    if (performance.now() - this.sampledAt >= this.resampleMs) await this.sync();
  }
}

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason when `signal` aborts; the timer is
 * always cleared. The one cancellable sleep for plugins (rate limiters, retry backoff).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
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
  });
}

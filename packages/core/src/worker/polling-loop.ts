/**
 * The background loop the scheduler and the worker share: run one iteration, then wait for the poll
 * interval or a wake-up, whichever comes first. A failed iteration is logged (never thrown out of the
 * loop) and the wait grows exponentially (0.5 s, 1 s, 2 s … capped at 30 s) until one succeeds again.
 */
import { describeError } from '../executor/invoke-task.js';
import type { Logger } from '../logger.js';

/** Options of {@link PollingLoop}. */
export interface PollingLoopOptions {
  /** One iteration; a throw counts as a failure. */
  iterate: () => Promise<void>;
  /** Wait between iterations when nothing wakes the loop. */
  intervalMs: number;
  logger: Logger;
  /** Who runs the loop, for the log line of a failed iteration (`scheduler`, `worker`). */
  name: string;
  /**
   * Whether a wake-up during an iteration starts the next one at once; `failures` counts the iterations
   * failed in a row. Default: always.
   */
  skipWaitWhenWoken?: (failures: number) => boolean;
}

/** Longest wait after failed iterations. */
const MAX_FAILURE_WAIT_MS = 30_000;

/** Runs {@link PollingLoopOptions.iterate} repeatedly in the background until {@link PollingLoop.stop}. */
export class PollingLoop {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: PollingLoopOptions) {}

  /** True between {@link start} and the end of {@link stop}. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Starts the loop (no-op when it runs already). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Ends the current wait now; a wake-up during an iteration skips the next wait (see `skipWaitWhenWoken`). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Lets the current iteration finish, ends the loop and waits for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    const { iterate, intervalMs, logger, name, skipWaitWhenWoken } = this.options;
    let failures = 0;
    while (!this.stopping) {
      this.woken = false;
      try {
        await iterate();
        failures = 0;
      } catch (error) {
        failures++;
        logger.error(`${name} iteration failed; retrying`, { error: describeError(error), failures });
      }
      if (this.stopping) break;
      if (this.woken && (skipWaitWhenWoken?.(failures) ?? true)) continue;
      const wait = failures === 0 ? intervalMs : Math.min(MAX_FAILURE_WAIT_MS, 500 * 2 ** failures);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}

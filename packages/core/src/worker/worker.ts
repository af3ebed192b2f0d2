import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DatabaseClock, type Clock } from '../clock.js';
import { describeError } from '../executor/invoke-task.js';
import type { LocalExecutor } from '../executor/local-executor.js';
import { silentLogger, type Logger } from '../logger.js';
import { VersionCache } from '../scheduler/dag-registry.js';
import { heartbeatProcess, markProcessStopped } from '../store/processes.js';
import { WakeupListener } from '../store/wakeup-listener.js';
import { chooseClock, createExecution, type TaskProcessOptions } from './execution.js';
import { PollingLoop } from './polling-loop.js';
import type { HeartbeatThread } from './heartbeat-thread.js';

/** Options of {@link Worker}. */
export interface WorkerOptions extends TaskProcessOptions {
  /** Rescans DAG files (DagFolder.scan) so new DAG code is picked up. */
  scanDags?: () => Promise<unknown>;
  /** Attempts running at once. Default 16. */
  concurrency?: number;
  /** Time between claims when nothing wakes the worker. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Called after each claim iteration. */
  onIteration?: (stats: WorkerIterationStats) => void;
}

/** Per-iteration statistics given to {@link WorkerOptions.onIteration}. */
export interface WorkerIterationStats {
  durationMs: number;
  /** Time the claim statement took (absent when no slot was free, so nothing was claimed). */
  claimLatencyMs?: number;
  tasksLaunched: number;
}

/**
 * A worker process: claims queued task instances of its queues in batches (`FOR UPDATE SKIP LOCKED`), runs
 * them and records their results; it schedules nothing. It wakes on `queued` notifications (LISTEN) and
 * when one of its attempts ends, and polls as the fallback. Errors in the loop are logged and retried with
 * backoff, never thrown out of it.
 */
export class Worker {
  readonly processId = `worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly executor: LocalExecutor;
  private readonly heartbeatThread: HeartbeatThread | undefined;
  private readonly listener: WakeupListener | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private lastScan = -Infinity;
  private readonly loop: PollingLoop;

  constructor(private readonly options: WorkerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.clock = chooseClock(options.knex, options.clock, options.localClock);
    this.loop = new PollingLoop({
      name: 'worker',
      intervalMs: options.pollIntervalMs ?? 1000,
      logger: this.logger,
      // A wake-up claims again at once only when there is room and the database answers.
      skipWaitWhenWoken: (failures) => failures === 0 && this.executor.freeSlots > 0,
      iterate: async () => {
        const started = performance.now();
        try {
          this.report(await this.runOnce());
        } catch (error) {
          this.report({ durationMs: performance.now() - started, tasksLaunched: 0 });
          throw error;
        }
      },
    });
    const { executor, heartbeatThread } = createExecution({
      knex: options.knex,
      registry: options.registry,
      versions: new VersionCache(options.knex),
      getConnection: options.getConnection,
      getVariable: options.getVariable,
      clock: this.clock,
      logger: this.logger,
      concurrency: options.concurrency ?? 16,
      queues: options.queues ?? ['default'],
      processId: this.processId,
      processKind: 'worker',
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      heartbeatConnection: options.heartbeatConnection,
      maxOutputBytes: options.maxOutputBytes,
      redactor: options.redactor,
      dagsDir: options.dagsDir,
      onAttemptFinished: () => this.wake(),
    });
    this.executor = executor;
    this.heartbeatThread = heartbeatThread;
    this.listener = options.listenUrl
      ? new WakeupListener({
          url: options.listenUrl,
          logger: this.logger,
          onWakeup: (kind) => {
            if (kind === 'queued' || kind === 'reconnected') this.wake();
          },
        })
      : undefined;
  }

  /** True while the LISTEN connection is up (false when listening is off). */
  get listening(): boolean {
    return this.listener?.connected ?? false;
  }

  /** One claim iteration: scan DAG files when due, claim for the free slots, heartbeat the process row. */
  async runOnce(): Promise<WorkerIterationStats> {
    const started = performance.now();
    if (this.options.scanDags && performance.now() - this.lastScan >= (this.options.scanIntervalMs ?? 2000)) {
      this.lastScan = performance.now();
      await this.options.scanDags();
    }
    if (this.clock instanceof DatabaseClock) await this.clock.maybeSync();
    const claim = await this.executor.claimAndLaunchTimed();
    if (!this.heartbeatThread) {
      await heartbeatProcess(this.options.knex, this.processId, 'worker');
    }
    return {
      durationMs: performance.now() - started,
      tasksLaunched: claim.launched,
      ...(claim.latencyMs !== undefined ? { claimLatencyMs: claim.latencyMs } : {}),
    };
  }

  /** Claims now instead of at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Starts the claim loop (and the listener) in the background. */
  start(): void {
    if (this.loop.running) return;
    void this.listener?.start();
    this.loop.start();
  }

  private report(stats: WorkerIterationStats): void {
    try {
      this.options.onIteration?.(stats);
    } catch (error) {
      this.logger.warn('onIteration callback failed', { error: describeError(error) });
    }
  }

  /**
   * Stops: no more claims, running attempts get `graceMs` to finish, the rest are handed back (`scheduled`,
   * no try used) for another worker. Waits for the loop, closes the listener and the heartbeat thread.
   */
  async stop(graceMs = 30_000): Promise<{ finished: number; released: number }> {
    await this.loop.stop();
    try {
      return await this.executor.shutdown(graceMs);
    } finally {
      await this.listener?.close();
      await this.heartbeatThread?.stop();
      await markProcessStopped(this.options.knex, this.processId).catch((error: unknown) => this.logger.warn('could not record worker stop', { error: describeError(error) }));
    }
  }
}

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Dag } from '../authoring/dag.js';
import type { DagStructure } from '../authoring/structure.js';
import { DatabaseClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { describeError } from '../executor/invoke-task.js';
import type { LocalExecutor } from '../executor/local-executor.js';
import { WakeupListener } from '../store/wakeup-listener.js';
import { chooseClock, createExecution, type TaskProcessOptions } from '../worker/execution.js';
import { PollingLoop } from '../worker/polling-loop.js';
import type { HeartbeatThread } from '../worker/heartbeat-thread.js';
import type { AttemptReport } from '../executor/run-attempt.js';
import { queueScheduledTasks } from '../store/queue-tasks.js';
import { rowsOf } from '../store/rows.js';
import { heartbeatProcess, markProcessStopped } from '../store/processes.js';
import { advanceRuns, type RunEvent } from './advance-runs.js';
import { createDueRuns, type SchedulableDag } from './create-runs.js';
import { VersionCache } from './dag-registry.js';
import { failStaleAttempts } from './stale-attempts.js';
import { syncDagsToStore } from './sync-dags.js';
import { completeBackfills } from './backfill.js';
import { notifyRunEvents } from './run-notifications.js';
import { hashDagStructure } from '../authoring/structure.js';

/** Options of {@link Scheduler}. */
export interface SchedulerOptions extends TaskProcessOptions {
  /** Rescans DAG files (DagFolder.scan); import errors are stored for `dags list`. */
  scanDags?: () => Promise<{ changed: boolean; errors: ReadonlyMap<string, string> }>;
  /** Attempts running at once in this process. Default 16. 0 runs no executor (scheduling only). */
  concurrency?: number;
  /** Time between loop iterations when nothing wakes it. Default 1000 ms. */
  loopIntervalMs?: number;
  /** A running attempt with no heartbeat for this long is failed (and retried). Default 120 s. */
  heartbeatTimeoutMs?: number;
  /** Called after each loop iteration (successful or not) with what it did and how long it took. */
  onIteration?: (stats: IterationStats) => void;
}

/** Per-iteration statistics given to {@link SchedulerOptions.onIteration}. */
export interface IterationStats {
  /** Wall time of the whole iteration. */
  durationMs: number;
  /** Time the claim statement took, when this process claimed in this iteration. */
  claimLatencyMs?: number;
  tasksLaunched: number;
  runsCreated: number;
  tasksQueued: number;
}

/** What one loop iteration did. */
export interface IterationResult {
  runsCreated: number;
  tasksQueued: number;
  tasksLaunched: number;
  runEvents: RunEvent[];
  /** Time the claim statement took, when this iteration claimed. */
  claimLatencyMs?: number;
}

/**
 * The scheduler: a loop over pure decisions and thin store calls. Each iteration syncs DAG files, creates
 * due runs, advances active runs, queues ready tasks within pools and limits, and launches attempts on the
 * local executor. Errors in an iteration are logged, never thrown out of the loop.
 */
export class Scheduler {
  readonly processId = `scheduler-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly executor: LocalExecutor | undefined;
  private readonly heartbeatThread: HeartbeatThread | undefined;
  private readonly listener: WakeupListener | undefined;
  private readonly versions: VersionCache;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly structures = new WeakMap<Dag<unknown>, { structure: DagStructure; versionHash: string }>();
  private lastScan = -Infinity;
  private synced = new Set<Dag<unknown>>();
  private readonly loop: PollingLoop;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = chooseClock(options.knex, options.clock, options.localClock);
    this.logger = options.logger ?? silentLogger;
    this.versions = new VersionCache(options.knex);
    this.loop = new PollingLoop({
      name: 'scheduler',
      intervalMs: options.loopIntervalMs ?? 1000,
      logger: this.logger,
      iterate: async () => {
        const started = performance.now();
        let result: IterationResult | undefined;
        try {
          result = await this.runOnce();
        } finally {
          this.reportIteration(started, result);
        }
      },
    });
    const concurrency = options.concurrency ?? 16;
    if (concurrency > 0) {
      const { executor, heartbeatThread } = createExecution({
        knex: options.knex,
        registry: options.registry,
        versions: this.versions,
        getConnection: options.getConnection,
        getVariable: options.getVariable,
        clock: this.clock,
        logger: this.logger,
        concurrency,
        queues: options.queues ?? ['default'],
        processId: this.processId,
        processKind: 'scheduler',
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        heartbeatConnection: options.heartbeatConnection,
        maxOutputBytes: options.maxOutputBytes,
        redactor: options.redactor,
        dagsDir: options.dagsDir,
        onAttemptFinished: (report: AttemptReport) => {
          if (report.recorded) this.wake();
        },
      });
      this.executor = executor;
      this.heartbeatThread = heartbeatThread;
    }
    this.listener = options.listenUrl
      ? new WakeupListener({
          url: options.listenUrl,
          logger: this.logger,
          // Another process finished an attempt or created a run: advance it now. `queued` only matters with an executor.
          onWakeup: (kind) => {
            if (kind !== 'queued' || this.executor) this.wake();
          },
        })
      : undefined;
  }

  private schedulable(): SchedulableDag[] {
    const out: SchedulableDag[] = [];
    for (const dag of this.options.registry.list()) {
      let entry = this.structures.get(dag);
      if (!entry) {
        try {
          const structure = dag.structure();
          entry = { structure, versionHash: hashDagStructure(structure) };
        } catch (error) {
          this.logger.error('invalid DAG skipped', { dagId: dag.id, error: describeError(error) });
          continue;
        }
        this.structures.set(dag, entry);
        this.versions.put(dag.id, entry.versionHash, entry.structure);
      }
      out.push({ dag, ...entry });
    }
    return out;
  }

  /** Runs one iteration. Exposed for tests and `dags test`; the loop calls it repeatedly. */
  async runOnce(): Promise<IterationResult> {
    const { knex } = this.options;
    if (this.clock instanceof DatabaseClock) await this.clock.maybeSync();
    const now = this.clock.now();
    let scanErrors: ReadonlyMap<string, string> | undefined;
    if (this.options.scanDags && performance.now() - this.lastScan >= (this.options.scanIntervalMs ?? 2000)) {
      this.lastScan = performance.now();
      const scan = await this.options.scanDags();
      if (scan.changed || this.synced.size === 0) scanErrors = scan.errors;
    }
    const dags = this.schedulable();
    const current = new Set(dags.map((d) => d.dag));
    const changed = scanErrors !== undefined || current.size !== this.synced.size || [...current].some((d) => !this.synced.has(d));
    if (changed) {
      await syncDagsToStore(knex, dags, scanErrors);
      this.synced = current;
    }
    const paused = new Set(rowsOf(await knex.raw('SELECT dag_id FROM sluice_dags WHERE is_paused')).map((r) => String(r.dag_id)));
    const runsCreated = await createDueRuns(knex, dags, paused, now, this.logger);
    const runEvents = await advanceRuns(knex, this.versions, paused, now, this.logger);
    const tasksQueued = await queueScheduledTasks(knex, {
      maxActiveTasks: (dagId) => dags.find((d) => d.dag.id === dagId)?.structure.maxActiveTasks ?? 16,
      maxActiveMapped: (dagId, hash, taskId) => this.versions.peek(dagId, hash)?.tasks.find((t) => t.id === taskId)?.maxActiveMapped,
    });
    const claim = this.executor ? await this.executor.claimAndLaunchTimed() : { launched: 0 };
    const tasksLaunched = claim.launched;
    await failStaleAttempts(knex, this.versions, this.options.heartbeatTimeoutMs ?? 120_000, this.executor?.runningAttemptIds ?? [], now, this.logger);
    await completeBackfills(knex);
    await notifyRunEvents(runEvents, this.options.registry, this.options.getConnection, now, this.logger);
    await heartbeatProcess(knex, this.processId, 'scheduler');
    return { runsCreated, tasksQueued, tasksLaunched, runEvents, ...(claim.latencyMs !== undefined ? { claimLatencyMs: claim.latencyMs } : {}) };
  }

  private reportIteration(started: number, result: IterationResult | undefined): void {
    const { onIteration } = this.options;
    if (!onIteration) return;
    const claimLatencyMs = result && result.claimLatencyMs !== undefined ? { claimLatencyMs: result.claimLatencyMs } : {};
    try {
      onIteration({
        durationMs: performance.now() - started,
        ...claimLatencyMs,
        tasksLaunched: result?.tasksLaunched ?? 0,
        runsCreated: result?.runsCreated ?? 0,
        tasksQueued: result?.tasksQueued ?? 0,
      });
    } catch (error) {
      this.logger.warn('onIteration callback failed', { error: describeError(error) });
    }
  }

  /** True while the LISTEN connection is up (false when listening is off). */
  get listening(): boolean {
    return this.listener?.connected ?? false;
  }

  /** Wakes the loop now (after an attempt finished or a run was triggered). */
  wake(): void {
    this.loop.wake();
  }

  /** Starts the loop in the background. */
  start(): void {
    if (this.loop.running) return;
    void this.listener?.start();
    this.loop.start();
  }

  /**
   * Stops: no more claims, running attempts get `graceMs` to finish, the rest go back to `scheduled` for
   * another process or the next start. Waits for the loop to end.
   */
  async stop(graceMs = 30_000): Promise<{ finished: number; released: number }> {
    await this.loop.stop();
    let result = { finished: 0, released: 0 };
    try {
      if (this.executor) result = await this.executor.shutdown(graceMs);
    } finally {
      await this.listener?.close();
      await this.heartbeatThread?.stop();
    }
    await markProcessStopped(this.options.knex, this.processId).catch((error: unknown) => this.logger.warn('could not record scheduler stop', { error: describeError(error) }));
    return result;
  }
}

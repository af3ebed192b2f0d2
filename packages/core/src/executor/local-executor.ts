import { heartbeatAttempts, claimQueuedTasks, type ClaimedTask } from '../store/claim-tasks.js';
import { releaseAttempts } from '../store/release-attempts.js';
import { describeError } from './invoke-task.js';
import { runAttempt, type AttemptEnvironment, type AttemptReport } from './run-attempt.js';

/** Options of {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  env: AttemptEnvironment;
  /** Attempts running at once. Default 16. */
  concurrency?: number;
  /** Queues served. Default `['default']`. */
  queues?: readonly string[];
  /** This process's id in the metadata store. */
  workerId: string;
  hostname: string;
  /** How often running attempts heartbeat. Default 5s. */
  heartbeatIntervalMs?: number;
  /**
   * Sends attempt heartbeats instead of this executor's own timer on the main thread (a
   * `HeartbeatThread`): told the running attempt ids whenever they change.
   */
  heartbeats?: { setAttempts(ids: readonly string[]): void };
  /** Called after each attempt is recorded (the scheduler wakes up on it). */
  onAttemptFinished?: (report: AttemptReport) => void;
}

/** What one claim did: attempts started, and the claim statement's duration when one ran. */
export interface ClaimResult {
  launched: number;
  latencyMs?: number;
}

interface Running {
  task: ClaimedTask;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs task attempts in this process with bounded concurrency: claims queued task instances in one batch
 * for its free slots, runs each (in process or in a child process, per task), and heartbeats them.
 */
export class LocalExecutor {
  private readonly running = new Map<string, Running>();
  private readonly concurrency: number;
  private readonly queues: readonly string[];
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private accepting = true;
  private claiming: Promise<ClaimResult> | undefined;

  constructor(private readonly options: LocalExecutorOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.queues = options.queues ?? ['default'];
    if (!options.heartbeats) {
      this.heartbeatTimer = setInterval(() => void this.heartbeat(), options.heartbeatIntervalMs ?? 5000);
      this.heartbeatTimer.unref();
    }
  }

  /** Slots free for new attempts. */
  get freeSlots(): number {
    return this.accepting ? Math.max(0, this.concurrency - this.running.size) : 0;
  }

  /** Attempt ids running here. */
  get runningAttemptIds(): string[] {
    return [...this.running.keys()];
  }

  /** Claims up to the free slots in one batch and starts them. Returns how many started. */
  async claimAndLaunch(): Promise<number> {
    return (await this.claimAndLaunchTimed()).launched;
  }

  /** Like {@link claimAndLaunch}, also telling how long the claim statement took (when one ran). */
  claimAndLaunchTimed(): Promise<ClaimResult> {
    this.claiming ??= this.doClaim().finally(() => {
      this.claiming = undefined;
    });
    return this.claiming;
  }

  private async doClaim(): Promise<ClaimResult> {
    const limit = this.freeSlots;
    if (limit === 0) return { launched: 0 };
    const { env } = this.options;
    const started = performance.now();
    const claimed = await claimQueuedTasks(env.knex, { queues: this.queues, limit, worker: this.options.workerId, hostname: this.options.hostname });
    const latencyMs = performance.now() - started;
    for (const task of claimed) this.launch(task);
    return { launched: claimed.length, latencyMs };
  }

  private launch(task: ClaimedTask): void {
    const controller = new AbortController();
    const done = runAttempt(this.options.env, task, controller)
      .then((report) => this.options.onAttemptFinished?.(report))
      .catch((error: unknown) => {
        this.options.env.logger.error('attempt crashed before recording its result; the stale-attempt check will retry it', {
          dagId: task.dagId,
          taskId: task.taskId,
          error: this.options.env.redactor.redact(describeError(error)),
        });
      })
      .finally(() => {
        this.running.delete(task.attemptId);
        this.options.heartbeats?.setAttempts(this.runningAttemptIds);
      });
    this.running.set(task.attemptId, { task, controller, done });
    this.options.heartbeats?.setAttempts(this.runningAttemptIds);
  }

  private async heartbeat(): Promise<void> {
    try {
      await heartbeatAttempts(this.options.env.knex, this.runningAttemptIds);
    } catch (error) {
      this.options.env.logger.warn('heartbeat failed', { error: describeError(error) });
    }
  }

  /** Waits until no attempt runs here (tests and `dags test`). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.claiming) {
      await Promise.all([...this.running.values()].map((r) => r.done));
      await this.claiming;
    }
  }

  /**
   * Stops claiming, lets running attempts finish for up to `graceMs`, then releases the rest back to
   * `scheduled` (no try used up; their late results are rejected) and aborts them.
   */
  async shutdown(graceMs: number): Promise<{ finished: number; released: number }> {
    this.accepting = false;
    await this.claiming;
    const before = this.running.size;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.running.values()].map((r) => r.done)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    const rest = [...this.running.values()];
    const released = await releaseAttempts(this.options.env.knex, rest.map((r) => r.task.attemptId), 'scheduler shut down before the attempt finished');
    for (const r of rest) r.controller.abort(new Error('scheduler shutting down'));
    await Promise.all(rest.map((r) => r.done));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    return { finished: before - rest.length, released: released.length };
  }
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IterationStats } from '../scheduler/scheduler.js';
import { RUN_STATES, TASK_STATES } from '../states.js';
import type { Queryable } from '../store/rows.js';
import { countStates } from '../store/state-counts.js';

/**
 * Prometheus metrics of a Sluice process, on a registry of its own (never the prom-client global one).
 * Run and task instance counts and queue depth are read from the metadata store at scrape time, so any
 * process serving `/metrics` reports the whole deployment. Scheduler loop time, claim latency and the
 * counters are observed in the process running the scheduler loop (`observeIteration`, wired to the
 * scheduler's `onIteration`); a separate `sluice webserver` reports them empty.
 */
export class ApiMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  private readonly runs: Gauge;
  private readonly taskInstances: Gauge;
  private readonly queueDepth: Gauge;
  private readonly loopDuration: Histogram;
  private readonly claimLatency: Histogram;
  private readonly tasksLaunched: Counter;
  private readonly runsCreated: Counter;
  private readonly tasksQueued: Counter;

  constructor() {
    const registers = [this.registry];
    this.runs = new Gauge({ name: 'sluice_dag_runs', help: 'DAG runs in the metadata store by state', labelNames: ['state'], registers });
    this.taskInstances = new Gauge({ name: 'sluice_task_instances', help: 'Task instances in the metadata store by state', labelNames: ['state'], registers });
    this.queueDepth = new Gauge({ name: 'sluice_queue_depth', help: 'Task instances queued and waiting for a worker, by queue', labelNames: ['queue'], registers });
    this.loopDuration = new Histogram({
      name: 'sluice_scheduler_loop_duration_seconds',
      help: 'Wall time of one scheduler loop iteration',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.claimLatency = new Histogram({
      name: 'sluice_scheduler_claim_latency_seconds',
      help: 'Time the task claim statement took',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.tasksLaunched = new Counter({ name: 'sluice_scheduler_tasks_launched_total', help: 'Task attempts launched by this process', registers });
    this.runsCreated = new Counter({ name: 'sluice_scheduler_runs_created_total', help: 'Scheduled runs created by this process', registers });
    this.tasksQueued = new Counter({ name: 'sluice_scheduler_tasks_queued_total', help: 'Task instances queued by this process', registers });
  }

  /** Records one scheduler loop iteration (pass this to `SchedulerOptions.onIteration`). */
  observeIteration(stats: IterationStats): void {
    this.loopDuration.observe(stats.durationMs / 1000);
    if (stats.claimLatencyMs !== undefined) this.claimLatency.observe(stats.claimLatencyMs / 1000);
    this.tasksLaunched.inc(stats.tasksLaunched);
    this.runsCreated.inc(stats.runsCreated);
    this.tasksQueued.inc(stats.tasksQueued);
  }

  /** Reads the store counts and renders every metric in the Prometheus text format. */
  async render(db: Queryable): Promise<string> {
    const counts = await countStates(db);
    for (const state of RUN_STATES) this.runs.set({ state }, counts.runs[state] ?? 0);
    for (const state of TASK_STATES) this.taskInstances.set({ state }, counts.taskInstances[state] ?? 0);
    this.queueDepth.reset();
    for (const [queue, n] of Object.entries({ default: 0, ...counts.queued })) this.queueDepth.set({ queue }, n);
    return this.registry.metrics();
  }

  /** The Content-Type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

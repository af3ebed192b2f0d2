import type { CatalogService } from '../catalog/types.js';
import type { Connection } from '../connections/types.js';
import type { Logger } from '../logger.js';
import type { TriggerRule } from '../states.js';
import type { Duration } from './duration.js';

/** An asset event: a record that a task updated an asset (URI), with optional metadata. */
export interface AssetEvent {
  id: number;
  uri: string;
  dagId: string;
  runId: string;
  taskId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** What every task receives when it runs (see semantics.md, "Run context"). */
export interface TaskContext<P = Record<string, unknown>> {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** Index in a mapped task, `-1` for an unmapped one. */
  readonly mapIndex: number;
  /** Attempt number, starting at 1. */
  readonly tryNumber: number;
  /** Attempts allowed in all (`retries + 1`). */
  readonly maxTries: number;
  readonly logicalDate: Date;
  readonly dataIntervalStart: Date;
  readonly dataIntervalEnd: Date;
  /** The run's params, parsed by the DAG's params schema (defaults applied). */
  readonly params: P;
  /** Asset events that triggered this run (asset-scheduled DAGs), oldest first. */
  readonly triggeringAssetEvents: readonly AssetEvent[];
  /** Fires when the attempt times out or is cancelled; pass it on to I/O. */
  readonly signal: AbortSignal;
  /** Log lines written here are stored per attempt (`sluice tasks logs`). */
  readonly log: Logger;
  /** Resolves a connection through the backend chain (environment, metadata store, plugins' backends). */
  getConnection(id: string): Promise<Connection>;
  /** Resolves a variable through the backend chain; `undefined` when no backend has it. */
  getVariable(key: string): Promise<string | undefined>;
  /** Renders a template string over this context's fixed vocabulary (`{{ ds }}`, `{{ params.x }}`, …). */
  render(template: string): Promise<string>;
  /** This task's output from the latest earlier run (by logical date) in which it succeeded. */
  previousOutput<T = unknown>(): Promise<T | undefined>;
  /** Records an asset event for `uri` when this attempt succeeds (declared outlets are recorded anyway). */
  recordAssetEvent(uri: string, metadata?: Record<string, unknown>): void;
  /** The data catalog in the metadata store (tables recorded by crawlers, with their schema versions). */
  readonly catalog: CatalogService;
}

/** Information passed to task callbacks and notifiers. */
export interface TaskEventInfo {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  logicalDate: Date;
  /** Error message of the failed attempt (never a stack with secrets). */
  error?: string | undefined;
}

/** A task callback (`onFailure`, `onSuccess`, `onRetry`). Its failure is logged, never fails the task. */
export type TaskCallback = (info: TaskEventInfo) => void | Promise<void>;

/** Kinds of events notifiers receive. */
export type NotificationKind = 'failure' | 'retry' | 'success' | 'sla_miss';

/** An event sent to notifiers. */
export interface NotificationEvent {
  kind: NotificationKind;
  dagId: string;
  runId: string;
  taskId?: string | undefined;
  mapIndex?: number | undefined;
  tryNumber?: number | undefined;
  logicalDate: Date;
  error?: string | undefined;
  at: Date;
}

/** What a notifier may use while sending. */
export interface NotifierContext {
  getConnection(id: string): Promise<Connection>;
  log: Logger;
  signal?: AbortSignal;
}

/** Sends notifications (webhook, Slack, PagerDuty …). A failure is logged and never affects the task. */
export interface Notifier {
  readonly name: string;
  /** Event kinds this notifier wants; all when omitted. */
  readonly on?: readonly NotificationKind[];
  notify(event: NotificationEvent, context: NotifierContext): Promise<void>;
}

/** Where a task attempt runs: in the scheduler's process, or in a child process of its own. */
export type TaskIsolation = 'in-process' | 'child-process';

/** Options every task accepts; DAG `defaultTaskOptions` supplies defaults for them. */
export interface TaskOptions {
  /** Extra attempts after the first (`retries: 2` → up to 3 attempts). Default 0. */
  retries?: number;
  /** Delay before a retry. Default 5m (Airflow's). */
  retryDelay?: Duration;
  /** Doubles the delay each retry (jittered). Default false. */
  exponentialBackoff?: boolean;
  /** Cap on the (exponential) retry delay. Default 24h. */
  maxRetryDelay?: Duration;
  /** Attempt timeout; the AbortSignal fires and the attempt fails. */
  timeout?: Duration;
  /** When the task may run, from its direct upstream states. Default `all_success`. */
  triggerRule?: TriggerRule;
  /** Pool limiting concurrent tasks across DAGs. Default `default_pool`. */
  pool?: string;
  /** Slots this task takes in its pool. Default 1. */
  poolSlots?: number;
  /** Higher runs first among ready tasks. Default 1. */
  priorityWeight?: number;
  /** Run only if this task succeeded (or was skipped) in the previous run. Default false. */
  dependsOnPast?: boolean;
  /** Worker queue. Default `default`. */
  queue?: string;
  /** Where attempts run. Default `in-process`. */
  isolation?: TaskIsolation;
  onFailure?: TaskCallback;
  onSuccess?: TaskCallback;
  onRetry?: TaskCallback;
  /** Notifiers for this task (added to the DAG's). */
  notifiers?: readonly Notifier[];
  /** Human description shown by `dags show`. */
  doc?: string;
}

/** Options of a task in the DAG builder: {@link TaskOptions} plus wiring. */
export interface TaskWiring<In extends TaskInputs = TaskInputs> extends TaskOptions {
  /** Upstream outputs this task reads, by local name; each also becomes an upstream dependency. */
  inputs?: In;
  /** Upstream dependencies that pass no data. */
  upstream?: readonly TaskRef[];
  /** Asset URIs this task updates; each success records an event for them. */
  outlets?: readonly string[];
}

/** A reference to a task in a DAG, carrying the TypeScript type of its output. */
export interface TaskRef<T = unknown> {
  /** The task id (group-prefixed). */
  readonly id: string;
  /** Phantom field carrying the output type; never set at run time. */
  readonly __output?: T;
  /** Makes `next` downstream of this task (Airflow's `a >> b`) and returns `next`. */
  then<N extends TaskRef | readonly TaskRef[]>(next: N): N;
  /** Makes this task downstream of `upstream` (Airflow's `a << b`) and returns this task. */
  after(...upstream: readonly TaskRef[]): this;
}

/** The output type a {@link TaskRef} carries. */
export type OutputOf<R> = R extends TaskRef<infer T> ? T : never;

/** A record of named upstream references. */
export type TaskInputs = Record<string, TaskRef<unknown>>;

/** The values a task receives for its declared inputs, typed from the upstream outputs. */
export type InputValues<In extends TaskInputs> = { [K in keyof In]: OutputOf<In[K]> };

/** Element type of an array output (for mapping). */
export type ElementOf<T> = T extends readonly (infer E)[] ? E : never;

/** The body of a plain task. */
export type TaskFunction<P, In extends TaskInputs, Out> = (
  ctx: TaskContext<P>,
  inputs: InputValues<In>,
) => Out | Promise<Out>;

/** The body of a mapped task: called once per element of the upstream array. */
export type MapFunction<P, Item, In extends TaskInputs, Out> = (
  ctx: TaskContext<P>,
  item: Item,
  inputs: InputValues<In>,
) => Out | Promise<Out>;

/** What a branch returns: the downstream tasks (ids or refs) to follow; the other direct downstreams are skipped. */
export type BranchResult = string | TaskRef | readonly (string | TaskRef)[];

/** What a sensor's poke returns: `true`/`false`, or `{ done: true, output }` to also pass an output on. */
export type PokeResult<Out> = boolean | { done: true; output: Out } | { done: false };

/** Sensor options: how to wait (see semantics.md, "Sensors"). */
export interface SensorOptions {
  /** `poke` keeps its slot between checks; `reschedule` frees it. Default `poke`. */
  mode?: 'poke' | 'reschedule';
  /** Time between checks. Default 60s. */
  pokeInterval?: Duration;
  /** Give up after this long since the first check (not retried). Default 7d. */
  sensorTimeout?: Duration;
  /** End in `skipped` instead of `failed` on timeout. Default false. */
  softFail?: boolean;
}

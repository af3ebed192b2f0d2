import type { Knex } from 'knex';
import type { RunState, RunType, TaskState } from '../states.js';

/** A knex instance or transaction: every store query takes one. */
export type Queryable = Knex | Knex.Transaction;

/** A DAG run as stored. */
export interface DagRunRecord {
  /** Internal numeric key. */
  pk: number;
  runId: string;
  dagId: string;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  runType: RunType;
  state: RunState;
  versionHash: string;
  conf: Record<string, unknown>;
  backfillId: number | null;
  triggeringAssetEventIds: number[];
  slaMissedAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** A task instance as stored. */
export interface TaskInstanceRecord {
  runPk: number;
  taskId: string;
  mapIndex: number;
  dagId: string;
  state: TaskState;
  tryNumber: number;
  maxTries: number;
  attemptId: string | null;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  queue: string;
  queuedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  nextAttemptAt: Date | null;
  firstPokeAt: Date | null;
  worker: string | null;
  hostname: string | null;
  heartbeatAt: Date | null;
  error: string | null;
}

type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const json = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : ((v ?? {}) as Record<string, unknown>));

/** Maps a `sluice_dag_runs` row. */
export function toDagRun(r: Row): DagRunRecord {
  return {
    pk: Number(r.id),
    runId: String(r.run_id),
    dagId: String(r.dag_id),
    logicalDate: date(r.logical_date) as Date,
    dataIntervalStart: date(r.data_interval_start) as Date,
    dataIntervalEnd: date(r.data_interval_end) as Date,
    runType: r.run_type as RunType,
    state: r.state as RunState,
    versionHash: String(r.version_hash),
    conf: json(r.conf),
    backfillId: r.backfill_id === null || r.backfill_id === undefined ? null : Number(r.backfill_id),
    triggeringAssetEventIds: ((r.triggering_asset_event_ids as unknown[] | null) ?? []).map(Number),
    slaMissedAt: date(r.sla_missed_at),
    createdAt: date(r.created_at) as Date,
    startedAt: date(r.started_at),
    endedAt: date(r.ended_at),
  };
}

/** Maps a `sluice_task_instances` row. */
export function toTaskInstance(r: Row): TaskInstanceRecord {
  return {
    runPk: Number(r.run_pk),
    taskId: String(r.task_id),
    mapIndex: Number(r.map_index),
    dagId: String(r.dag_id),
    state: r.state as TaskState,
    tryNumber: Number(r.try_number),
    maxTries: Number(r.max_tries),
    attemptId: (r.attempt_id as string | null) ?? null,
    pool: String(r.pool),
    poolSlots: Number(r.pool_slots),
    priorityWeight: Number(r.priority_weight),
    queue: String(r.queue),
    queuedAt: date(r.queued_at),
    startedAt: date(r.started_at),
    endedAt: date(r.ended_at),
    nextAttemptAt: date(r.next_attempt_at),
    firstPokeAt: date(r.first_poke_at),
    worker: (r.worker as string | null) ?? null,
    hostname: (r.hostname as string | null) ?? null,
    heartbeatAt: date(r.heartbeat_at),
    error: (r.error as string | null) ?? null,
  };
}

/** Rows of a knex.raw result on either backend. */
export function rowsOf(result: unknown): Row[] {
  const r = result as { rows?: Row[] } | Row[];
  return Array.isArray(r) ? r : (r.rows ?? []);
}

export { date as toDate, json as toJson };

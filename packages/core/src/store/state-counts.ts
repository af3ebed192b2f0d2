import { rowsOf, toDate, type Queryable } from './rows.js';

/** What `/metrics` and `/health` read from the store at scrape time. */
export interface StoreStateCounts {
  /** DAG runs by state. */
  runs: Record<string, number>;
  /** Task instances by state. */
  taskInstances: Record<string, number>;
  /** Queued task instances per queue. */
  queued: Record<string, number>;
}

function toCounts(rows: Record<string, unknown>[], key: string): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [String(r[key]), Number(r.n)]));
}

/** Counts runs and task instances by state, and queued task instances by queue (three aggregate queries). */
export async function countStates(db: Queryable): Promise<StoreStateCounts> {
  const runs = rowsOf(await db.raw(`SELECT state, count(*) AS n FROM sluice_dag_runs GROUP BY state`));
  const tis = rowsOf(await db.raw(`SELECT state, count(*) AS n FROM sluice_task_instances GROUP BY state`));
  const queued = rowsOf(await db.raw(`SELECT queue, count(*) AS n FROM sluice_task_instances WHERE state = 'queued' GROUP BY queue`));
  return { runs: toCounts(runs, 'state'), taskInstances: toCounts(tis, 'state'), queued: toCounts(queued, 'queue') };
}

/** The latest heartbeat of a scheduler process that has not stopped, or null. */
export async function latestSchedulerHeartbeat(db: Queryable): Promise<Date | null> {
  const row = rowsOf(await db.raw(`SELECT max(heartbeat_at) AS at FROM sluice_processes WHERE kind = 'scheduler' AND stopped_at IS NULL`))[0];
  return toDate(row?.at);
}

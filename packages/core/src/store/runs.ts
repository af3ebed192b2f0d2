import type { RunState, RunType } from '../states.js';
import { rowsOf, toDagRun, type DagRunRecord, type Queryable } from './rows.js';

/** Runs in `queued` or `running`, oldest logical date first. */
export async function listActiveRuns(db: Queryable): Promise<DagRunRecord[]> {
  const rows = rowsOf(await db.raw(`SELECT * FROM sluice_dag_runs WHERE state IN ('queued', 'running') ORDER BY logical_date, id`));
  return rows.map(toDagRun);
}

/**
 * Per given DAG: the latest logical date of a scheduled run, whether any run exists, and its active
 * non-backfill runs. Each subquery is an index lookup, so the cost does not grow with run history.
 */
export async function getDagRunSummaries(
  db: Queryable,
  dagIds: readonly string[],
): Promise<Map<string, { lastScheduledLogicalDate?: Date; hasAnyRun: boolean; activeRuns: number }>> {
  const rows = rowsOf(
    await db.raw(`SELECT d.dag_id,
        (SELECT r.logical_date FROM sluice_dag_runs r WHERE r.dag_id = d.dag_id AND r.run_type = 'scheduled'
          ORDER BY r.logical_date DESC LIMIT 1) AS last_scheduled,
        EXISTS (SELECT 1 FROM sluice_dag_runs r WHERE r.dag_id = d.dag_id) AS has_any,
        (SELECT count(*) FROM sluice_dag_runs r WHERE r.dag_id = d.dag_id AND r.state IN ('queued', 'running')
          AND r.run_type <> 'backfill') AS active
      FROM unnest(?::text[]) AS d(dag_id)`, [[...dagIds]]),
  );
  const out = new Map<string, { lastScheduledLogicalDate?: Date; hasAnyRun: boolean; activeRuns: number }>();
  for (const r of rows) {
    const entry: { lastScheduledLogicalDate?: Date; hasAnyRun: boolean; activeRuns: number } = { hasAnyRun: Boolean(r.has_any), activeRuns: Number(r.active) };
    if (r.last_scheduled) entry.lastScheduledLogicalDate = new Date(r.last_scheduled as string | Date);
    out.set(String(r.dag_id), entry);
  }
  return out;
}

/** Moves the given queued runs to running (guarded on `queued`). Returns the pks that moved. */
export async function startRuns(db: Queryable, runPks: readonly number[]): Promise<number[]> {
  if (runPks.length === 0) return [];
  const rows = rowsOf(
    await db.raw(`UPDATE sluice_dag_runs SET state = 'running', started_at = now() WHERE id = ANY(?::bigint[]) AND state = 'queued' RETURNING id`, [
      [...runPks],
    ]),
  );
  return rows.map((r) => Number(r.id));
}

/** Ends a running run (guarded on `running`). Returns false when it was not running any more. */
export async function finishRun(db: Queryable, runPk: number, state: 'success' | 'failed'): Promise<boolean> {
  const rows = rowsOf(
    await db.raw(`UPDATE sluice_dag_runs SET state = ?, ended_at = now() WHERE id = ? AND state = 'running' RETURNING id`, [state, runPk]),
  );
  return rows.length > 0;
}

/** Marks an SLA miss once (guarded on `sla_missed_at IS NULL`). Returns true the first time. */
export async function markSlaMissed(db: Queryable, runPk: number): Promise<boolean> {
  const rows = rowsOf(await db.raw(`UPDATE sluice_dag_runs SET sla_missed_at = now() WHERE id = ? AND sla_missed_at IS NULL RETURNING id`, [runPk]));
  return rows.length > 0;
}

/** Filters for {@link listRuns}. */
export interface RunFilter {
  dagId?: string;
  state?: RunState;
  runType?: RunType;
  limit?: number;
}

/** Runs, newest logical date first. */
export async function listRuns(db: Queryable, filter: RunFilter = {}): Promise<DagRunRecord[]> {
  const q = (db as import('knex').Knex)('sluice_dag_runs').select('*').orderBy([{ column: 'logical_date', order: 'desc' }, { column: 'id', order: 'desc' }]);
  if (filter.dagId) q.where('dag_id', filter.dagId);
  if (filter.state) q.where('state', filter.state);
  if (filter.runType) q.where('run_type', filter.runType);
  q.limit(filter.limit ?? 100);
  return (await q).map(toDagRun);
}

/** One run by DAG id and run id (or by logical date ISO string), or undefined. */
export async function getRun(db: Queryable, dagId: string, runIdOrDate: string): Promise<DagRunRecord | undefined> {
  const asDate = new Date(runIdOrDate);
  const rows = rowsOf(
    await db.raw(`SELECT * FROM sluice_dag_runs WHERE dag_id = ? AND (run_id = ? OR logical_date = ?) ORDER BY id DESC LIMIT 1`, [
      dagId,
      runIdOrDate,
      Number.isNaN(asDate.getTime()) ? null : asDate,
    ]),
  );
  return rows[0] ? toDagRun(rows[0]) : undefined;
}

/** One run by its internal key. */
export async function getRunByPk(db: Queryable, runPk: number): Promise<DagRunRecord | undefined> {
  const row = rowsOf(await db.raw('SELECT * FROM sluice_dag_runs WHERE id = ?', [runPk]))[0];
  return row ? toDagRun(row) : undefined;
}

/** The state of each task in the run preceding `runPk` (by logical date) of the same DAG, for dependsOnPast. */
export async function getPreviousRunStates(db: Queryable, run: DagRunRecord): Promise<Record<string, import('../states.js').TaskState> | undefined> {
  const prev = rowsOf(
    await db.raw(`SELECT id FROM sluice_dag_runs WHERE dag_id = ? AND logical_date < ? ORDER BY logical_date DESC LIMIT 1`, [run.dagId, run.logicalDate]),
  )[0];
  if (!prev) return undefined;
  const rows = rowsOf(
    await db.raw(
      `SELECT task_id, CASE WHEN bool_and(state IN ('success', 'skipped')) THEN 'success' ELSE min(state) END AS state
       FROM sluice_task_instances WHERE run_pk = ? GROUP BY task_id`,
      [Number(prev.id)],
    ),
  );
  const out: Record<string, import('../states.js').TaskState> = {};
  for (const r of rows) out[String(r.task_id)] = r.state as import('../states.js').TaskState;
  return out;
}

import type { DagStructure } from '../authoring/structure.js';
import type { RunType } from '../states.js';
import { rowsOf, toDagRun, type DagRunRecord, type Queryable } from './rows.js';

/** What a new DAG run needs. */
export interface NewDagRun {
  structure: DagStructure;
  versionHash: string;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  runType: RunType;
  conf?: Record<string, unknown>;
  backfillId?: number | null;
  triggeringAssetEventIds?: readonly number[];
  /** Defaults to `<runType>__<logical date ISO>` like Airflow. */
  runId?: string;
}

const RUN_ID_PREFIX: Record<RunType, string> = { scheduled: 'scheduled', manual: 'manual', backfill: 'backfill', asset: 'asset_triggered' };

/** Airflow-style run id: `scheduled__2026-01-01T00:00:00+00:00`. */
export function makeRunId(runType: RunType, logicalDate: Date): string {
  return `${RUN_ID_PREFIX[runType]}__${logicalDate.toISOString().replace(/\.\d{3}Z$/, '+00:00')}`;
}

/**
 * Creates a queued run and one task instance per task (mapped tasks get a placeholder at map index -1),
 * in one transaction. The unique constraint on (dag_id, logical_date) makes a second creation of the same
 * run a no-op: returns undefined when the run already exists.
 */
export async function createDagRun(db: Queryable, run: NewDagRun): Promise<DagRunRecord | undefined> {
  const work = async (trx: Queryable): Promise<DagRunRecord | undefined> => {
    const runId = run.runId ?? makeRunId(run.runType, run.logicalDate);
    const inserted = rowsOf(
      await trx.raw(
        `INSERT INTO sluice_dag_runs (run_id, dag_id, logical_date, data_interval_start, data_interval_end, run_type, state,
           version_hash, conf, backfill_id, triggering_asset_event_ids)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?::jsonb, ?, ?::bigint[])
         ON CONFLICT DO NOTHING RETURNING *`,
        [
          runId,
          run.structure.dagId,
          run.logicalDate,
          run.dataIntervalStart,
          run.dataIntervalEnd,
          run.runType,
          run.versionHash,
          JSON.stringify(run.conf ?? {}),
          run.backfillId ?? null,
          [...(run.triggeringAssetEventIds ?? [])],
        ],
      ),
    )[0];
    if (!inserted) return undefined;
    const record = toDagRun(inserted);
    const tasks = run.structure.tasks;
    if (tasks.length > 0) {
      await trx.raw(
        `INSERT INTO sluice_task_instances (run_pk, task_id, map_index, dag_id, max_tries, pool, pool_slots, priority_weight, queue)
         SELECT ?, t.task_id, -1, ?, t.max_tries, t.pool, t.pool_slots, t.priority_weight, t.queue
         FROM unnest(?::text[], ?::int[], ?::text[], ?::int[], ?::int[], ?::text[])
           AS t(task_id, max_tries, pool, pool_slots, priority_weight, queue)`,
        [
          record.pk,
          record.dagId,
          tasks.map((t) => t.id),
          tasks.map((t) => t.retries + 1),
          tasks.map((t) => t.pool),
          tasks.map((t) => t.poolSlots),
          tasks.map((t) => t.priorityWeight),
          tasks.map((t) => t.queue),
        ],
      );
    }
    return record;
  };
  return 'isTransaction' in db && db.isTransaction ? work(db) : (db as import('knex').Knex).transaction(work);
}

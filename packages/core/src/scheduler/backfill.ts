import type { Knex } from 'knex';
import type { Dag } from '../authoring/dag.js';
import { ValidationError } from '../errors.js';
import { planBackfill, type BackfillPlanItem, type ReprocessPolicy } from '../scheduling/backfill-plan.js';
import { listBackfillRecords, type BackfillRecord } from '../store/backfill-list.js';
import { createDagRun } from '../store/create-run.js';
import { upsertDag } from '../store/dags.js';
import { rowsOf, toDate } from '../store/rows.js';
import { clearTaskInstances } from './clear.js';
import { hashDagStructure } from '../authoring/structure.js';

/** Options of {@link createBackfill}. */
export interface BackfillOptions {
  from: Date;
  to: Date;
  reprocess: ReprocessPolicy;
  /** Runs of this backfill active at once. Default 4. */
  maxActiveRuns?: number;
  /** Only plan: nothing is stored. */
  dryRun?: boolean;
  conf?: unknown;
}

/**
 * Creates a backfill: plans every data interval with a start in [from, to] against existing runs (reprocess
 * policy none | failed | all), and unless `dryRun` records the backfill and creates / clears its runs in one
 * transaction. The scheduler starts its runs within the backfill's own `maxActiveRuns`.
 */
export async function createBackfill(knex: Knex, dag: Dag<unknown>, o: BackfillOptions): Promise<{ backfillId?: number; plan: BackfillPlanItem[] }> {
  if (o.to < o.from) throw new ValidationError('backfill --to is before --from', 'to');
  const structure = dag.structure();
  if (structure.schedule.kind !== 'cron' && structure.schedule.kind !== 'interval') {
    throw new ValidationError(`DAG ${dag.id} has no time schedule (${structure.schedule.kind}); backfill needs cron or { every }`, 'schedule');
  }
  const params = dag.parseParams(o.conf ?? {}) as Record<string, unknown>;
  const existingRows = rowsOf(
    await knex.raw(`SELECT id, logical_date, state FROM sluice_dag_runs WHERE dag_id = ? AND logical_date BETWEEN ? AND ?`, [dag.id, o.from, o.to]),
  );
  const plan = planBackfill({
    schedule: structure.schedule,
    timezone: structure.timezone,
    ...(structure.start ? { anchor: new Date(structure.start) } : {}),
    from: o.from,
    to: o.to,
    existing: existingRows.map((r) => ({ logicalDate: toDate(r.logical_date) as Date, state: r.state as 'queued' })),
    reprocess: o.reprocess,
  });
  if (o.dryRun) return { plan };
  const versionHash = hashDagStructure(structure);
  const backfillId = await knex.transaction(async (trx) => {
    await upsertDag(trx, { structure, versionHash, filePath: dag.file ?? null, pausedOnCreation: dag.options.pausedOnCreation });
    const row = rowsOf(
      await trx.raw(
        `INSERT INTO sluice_backfills (dag_id, from_date, to_date, reprocess, max_active_runs, conf) VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING id`,
        [dag.id, o.from, o.to, o.reprocess, o.maxActiveRuns ?? 4, JSON.stringify(params)],
      ),
    )[0];
    const id = Number(row?.id);
    for (const item of plan) {
      if (item.action === 'create') {
        await createDagRun(trx, {
          structure,
          versionHash,
          logicalDate: item.interval.start,
          dataIntervalStart: item.interval.start,
          dataIntervalEnd: item.interval.end,
          runType: 'backfill',
          conf: params,
          backfillId: id,
        });
      } else if (item.action === 'rerun') {
        const existing = existingRows.find((r) => (toDate(r.logical_date) as Date).getTime() === item.interval.start.getTime());
        if (!existing) continue;
        await trx.raw(`UPDATE sluice_dag_runs SET backfill_id = ? WHERE id = ?`, [id, Number(existing.id)]);
        await clearTaskInstances(trx, { runPk: Number(existing.id), structure, onlyFailed: o.reprocess === 'failed' });
      }
    }
    return id;
  });
  return { backfillId, plan };
}

/** A backfill with its progress (run counts by state). */
export type BackfillProgress = BackfillRecord;

/** Backfills with run counts by state, newest first. */
export async function listBackfills(knex: Knex, dagId?: string): Promise<BackfillProgress[]> {
  return listBackfillRecords(knex, { dagId });
}

/** Cancels a running backfill: its queued runs are removed, running ones finish. */
export async function cancelBackfill(knex: Knex, id: number): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const rows = rowsOf(await trx.raw(`UPDATE sluice_backfills SET state = 'cancelled', completed_at = now() WHERE id = ? AND state = 'running' RETURNING id`, [id]));
    if (rows.length === 0) return false;
    await trx.raw(`DELETE FROM sluice_dag_runs WHERE backfill_id = ? AND state = 'queued' AND run_type = 'backfill'`, [id]);
    return true;
  });
}

/** Marks running backfills whose runs are all finished as success (all runs succeeded) or failed. */
export async function completeBackfills(knex: Knex): Promise<void> {
  await knex.raw(
    `UPDATE sluice_backfills b SET completed_at = now(),
       state = CASE WHEN EXISTS (SELECT 1 FROM sluice_dag_runs r WHERE r.backfill_id = b.id AND r.state = 'failed') THEN 'failed' ELSE 'success' END
     WHERE b.state = 'running' AND NOT EXISTS (SELECT 1 FROM sluice_dag_runs r WHERE r.backfill_id = b.id AND r.state IN ('queued', 'running'))`,
  );
}

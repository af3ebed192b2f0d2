import type { Knex } from 'knex';
import type { Dag } from '../authoring/dag.js';
import { ValidationError } from '../errors.js';
import { manualDataInterval } from '../scheduling/intervals.js';
import { createDagRun } from '../store/create-run.js';
import { upsertDag } from '../store/dags.js';
import type { DagRunRecord } from '../store/rows.js';
import { hashDagStructure } from '../authoring/structure.js';

/** Options of a manual trigger. */
export interface TriggerOptions {
  /** Logical date; default now. */
  logicalDate?: Date;
  /** Run params; validated by the DAG's params schema (defaults applied). */
  conf?: unknown;
  runId?: string;
}

/**
 * Triggers a manual run: validates `conf` against the DAG's params (ValidationError naming the field; nothing
 * is stored on failure), records the DAG version, and creates the run. A run already existing for that
 * logical date is a ValidationError (one run per DAG and logical date).
 */
export async function triggerDagRun(knex: Knex, dag: Dag<unknown>, options: TriggerOptions, now: Date): Promise<DagRunRecord> {
  const params = dag.parseParams(options.conf ?? {});
  const structure = dag.structure();
  const versionHash = hashDagStructure(structure);
  const logicalDate = options.logicalDate ?? now;
  const interval = manualDataInterval(logicalDate);
  return knex.transaction(async (trx) => {
    await upsertDag(trx, { structure, versionHash, filePath: dag.file ?? null, pausedOnCreation: dag.options.pausedOnCreation });
    const run = await createDagRun(trx, {
      structure,
      versionHash,
      logicalDate,
      dataIntervalStart: interval.start,
      dataIntervalEnd: interval.end,
      runType: 'manual',
      conf: params as Record<string, unknown>,
      ...(options.runId ? { runId: options.runId } : {}),
    });
    if (!run) throw new ValidationError(`DAG ${dag.id} already has a run for logical date ${logicalDate.toISOString()}`, 'logicalDate');
    return run;
  });
}

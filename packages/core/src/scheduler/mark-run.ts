import type { Knex } from 'knex';
import { getRunByPk } from '../store/runs.js';
import { setRunState, setTaskInstancesState } from '../store/mark-run.js';
import type { DagRunRecord } from '../store/rows.js';

const UNFINISHED_NOT_RUNNING = ['none', 'scheduled', 'queued', 'up_for_retry', 'up_for_reschedule'] as const;

/** What {@link markDagRun} changed. */
export interface MarkRunResult {
  /** The run after the change (unchanged when it already was in that state). */
  run: DagRunRecord;
  /** Whether the run's state changed. */
  changed: boolean;
  /** Task instances moved. */
  taskInstancesChanged: number;
}

/**
 * Marks a run success or failed by hand, like Airflow's "Mark success / Mark failed", in one transaction:
 *
 * - success: every task instance not in `success`/`skipped` becomes `success`.
 * - failed: `running` task instances become `failed`; the ones not started yet (none, scheduled, queued,
 *   waiting for a retry or reschedule) become `skipped`; finished ones keep their state.
 *
 * Every UPDATE is guarded on the current state; running attempts are fenced, so a worker's late result
 * is rejected rather than recorded. Marking a run with the state it already has changes nothing.
 */
export async function markDagRun(knex: Knex, runPk: number, state: 'success' | 'failed'): Promise<MarkRunResult | undefined> {
  return knex.transaction(async (trx) => {
    const before = await getRunByPk(trx, runPk);
    if (!before) return undefined;
    let taskInstancesChanged = 0;
    if (state === 'success') {
      taskInstancesChanged += await setTaskInstancesState(
        trx,
        runPk,
        ['none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule', 'failed', 'upstream_failed'],
        'success',
      );
    } else {
      taskInstancesChanged += await setTaskInstancesState(trx, runPk, ['running'], 'failed');
      taskInstancesChanged += await setTaskInstancesState(trx, runPk, UNFINISHED_NOT_RUNNING, 'skipped');
    }
    const updated = await setRunState(trx, runPk, state);
    return { run: updated ?? before, changed: updated !== undefined, taskInstancesChanged };
  });
}

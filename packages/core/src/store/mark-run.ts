import { rowsOf, toDagRun, type DagRunRecord, type Queryable } from './rows.js';

/**
 * Sets a run's state with a guarded UPDATE (only from another state, so marking twice is a no-op that
 * returns undefined). Sets `ended_at`, and `started_at` when the run never started.
 */
export async function setRunState(db: Queryable, runPk: number, state: 'success' | 'failed'): Promise<DagRunRecord | undefined> {
  const row = rowsOf(
    await db.raw(
      `UPDATE sluice_dag_runs SET state = ?, ended_at = now(), started_at = coalesce(started_at, now())
       WHERE id = ? AND state <> ? RETURNING *`,
      [state, runPk, state],
    ),
  )[0];
  return row ? toDagRun(row) : undefined;
}

/**
 * Moves the run's task instances that are in one of `from` to `to` (guarded on their current state), ending
 * them now and fencing their running attempts: the attempt row is ended as `marked` and the task instance
 * loses its `attempt_id`, so the worker's late result is rejected. Returns how many instances moved.
 */
export async function setTaskInstancesState(db: Queryable, runPk: number, from: readonly string[], to: string): Promise<number> {
  if (from.length === 0) return 0;
  await db.raw(
    `UPDATE sluice_attempts a SET state = 'marked', ended_at = now()
     FROM sluice_task_instances ti
     WHERE ti.run_pk = ? AND ti.state = ANY(?::text[]) AND ti.attempt_id = a.attempt_id AND a.ended_at IS NULL`,
    [runPk, [...from]],
  );
  const rows = rowsOf(
    await db.raw(
      `UPDATE sluice_task_instances SET state = ?, ended_at = now(), attempt_id = NULL, next_attempt_at = NULL,
         pending_reschedule = false, updated_at = now()
       WHERE run_pk = ? AND state = ANY(?::text[]) RETURNING task_id`,
      [to, runPk, [...from]],
    ),
  );
  return rows.length;
}

import { rowsOf, type Queryable } from './rows.js';

/**
 * Gives interrupted attempts back (graceful shutdown): guarded on state `running` and the attempt id, the
 * task instance returns to `scheduled` without using up a try, and the old attempt can no longer write.
 * Returns the attempt ids that were released.
 */
export async function releaseAttempts(db: Queryable, attemptIds: readonly string[], reason: string): Promise<string[]> {
  if (attemptIds.length === 0) return [];
  const rows = rowsOf(
    await db.raw(
      `UPDATE sluice_task_instances SET state = 'scheduled', try_number = GREATEST(try_number - 1, 0), attempt_id = NULL,
         heartbeat_at = NULL, worker = NULL, updated_at = now()
       WHERE attempt_id = ANY(?::uuid[]) AND state = 'running' RETURNING run_pk`,
      [[...attemptIds]],
    ),
  );
  await db.raw(`UPDATE sluice_attempts SET state = 'interrupted', ended_at = now(), error = ? WHERE attempt_id = ANY(?::uuid[]) AND ended_at IS NULL`, [
    reason,
    [...attemptIds],
  ]);
  return rows.length > 0 ? [...attemptIds] : [];
}

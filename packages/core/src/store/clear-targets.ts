import { rowsOf, type Queryable } from './rows.js';

/**
 * The task instances a clear would reset: those of `taskIds` in the run, only failed / upstream_failed when
 * `onlyFailed`. Used for the API's dry run and to report what was cleared.
 */
export async function listClearTargets(
  db: Queryable,
  q: { runPk: number; taskIds: readonly string[]; onlyFailed: boolean },
): Promise<{ taskId: string; mapIndex: number }[]> {
  const states = q.onlyFailed ? ['failed', 'upstream_failed'] : null;
  const rows = rowsOf(
    await db.raw(
      `SELECT task_id, map_index FROM sluice_task_instances
       WHERE run_pk = ? AND task_id = ANY(?::text[]) AND (?::text[] IS NULL OR state = ANY(?::text[])) ORDER BY task_id, map_index`,
      [q.runPk, [...q.taskIds], states, states],
    ),
  );
  return rows.map((r) => ({ taskId: String(r.task_id), mapIndex: Number(r.map_index) }));
}

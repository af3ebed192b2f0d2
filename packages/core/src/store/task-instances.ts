import type { RunDecision, TaskKey } from '../scheduling/run-decisions.js';
import type { TaskNode } from '../authoring/structure.js';
import { rowsOf, toTaskInstance, type Queryable, type TaskInstanceRecord } from './rows.js';

/** Task instances of the given runs. */
export async function listTaskInstances(db: Queryable, runPks: readonly number[]): Promise<TaskInstanceRecord[]> {
  if (runPks.length === 0) return [];
  const rows = rowsOf(
    await db.raw(`SELECT * FROM sluice_task_instances WHERE run_pk = ANY(?::bigint[]) ORDER BY run_pk, task_id, map_index`, [[...runPks]]),
  );
  return rows.map(toTaskInstance);
}

async function guardedSetState(db: Queryable, runPk: number, keys: readonly TaskKey[], from: readonly string[], to: string, extra = ''): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = rowsOf(
    await db.raw(
      `UPDATE sluice_task_instances ti SET state = ?, updated_at = now() ${extra}
       FROM unnest(?::text[], ?::int[]) AS k(task_id, map_index)
       WHERE ti.run_pk = ? AND ti.task_id = k.task_id AND ti.map_index = k.map_index AND ti.state = ANY(?::text[])
       RETURNING ti.task_id`,
      [to, keys.map((k) => k.taskId), keys.map((k) => k.mapIndex), runPk, [...from]],
    ),
  );
  return rows.length;
}

/**
 * Applies a run decision with guarded updates (each names the expected current state), expanding mapped
 * tasks: the placeholder (map index -1, still `none`) is replaced by `count` instances, or skipped when 0.
 */
export async function applyRunDecision(db: Queryable, runPk: number, decision: RunDecision, tasks: ReadonlyMap<string, TaskNode>): Promise<void> {
  await guardedSetState(db, runPk, decision.toScheduled, ['none'], 'scheduled');
  await guardedSetState(db, runPk, decision.toSkipped, ['none'], 'skipped', ', ended_at = now()');
  await guardedSetState(db, runPk, decision.toUpstreamFailed, ['none'], 'upstream_failed', ', ended_at = now()');
  await guardedSetState(db, runPk, decision.retryDue, ['up_for_retry'], 'scheduled');
  await guardedSetState(db, runPk, decision.rescheduleDue, ['up_for_reschedule'], 'scheduled');
  for (const { taskId, count } of decision.expand) {
    const node = tasks.get(taskId);
    if (!node) continue;
    if (count === 0) {
      await guardedSetState(db, runPk, [{ taskId, mapIndex: -1 }], ['none'], 'skipped', ', ended_at = now()');
      continue;
    }
    const deleted = rowsOf(
      await db.raw(`DELETE FROM sluice_task_instances WHERE run_pk = ? AND task_id = ? AND map_index = -1 AND state = 'none' RETURNING dag_id`, [
        runPk,
        taskId,
      ]),
    )[0];
    if (!deleted) continue;
    await db.raw(
      `INSERT INTO sluice_task_instances (run_pk, task_id, map_index, dag_id, state, max_tries, pool, pool_slots, priority_weight, queue)
       SELECT ?, ?, i, ?, 'none', ?, ?, ?, ?, ? FROM generate_series(0, ? - 1) AS i
       ON CONFLICT DO NOTHING`,
      [runPk, taskId, String(deleted.dag_id), node.retries + 1, node.pool, node.poolSlots, node.priorityWeight, node.queue, count],
    );
  }
}

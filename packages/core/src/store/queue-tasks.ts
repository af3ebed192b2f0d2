import type { Knex } from 'knex';
import { selectTasksToQueue, type QueueCandidate } from '../scheduling/queueing.js';
import { notifyWakeup } from './notify.js';
import { rowsOf } from './rows.js';

/** Advisory lock key serialising the queueing step across schedulers (pool and limit accounting). */
const QUEUE_LOCK_KEY = 7_236_001;

/** What the queueing step needs to know about DAG versions. */
export interface QueueLimits {
  /** maxActiveTasks of the DAG. */
  maxActiveTasks(dagId: string): number;
  /** maxActiveMapped of a mapped task in a DAG version, if any. */
  maxActiveMapped(dagId: string, versionHash: string, taskId: string): number | undefined;
}

/**
 * Moves `scheduled` task instances of running runs to `queued`, highest priority first, within pool slots,
 * each DAG's maxActiveTasks and mapped tasks' caps. One transaction, serialised across schedulers by a
 * transaction-level advisory lock (works behind PgBouncer transaction pooling). Sends a `queued` wake-up on
 * commit when it queued any. Returns how many were queued.
 */
export async function queueScheduledTasks(knex: Knex, limits: QueueLimits, limit = 1000): Promise<number> {
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [QUEUE_LOCK_KEY]);
    const scheduled = rowsOf(
      await trx.raw(
        `SELECT ti.run_pk, ti.task_id, ti.map_index, ti.dag_id, ti.pool, ti.pool_slots, ti.priority_weight, ti.updated_at, r.version_hash
         FROM sluice_task_instances ti JOIN sluice_dag_runs r ON r.id = ti.run_pk
         WHERE ti.state = 'scheduled' AND r.state = 'running'
         ORDER BY ti.priority_weight DESC, ti.updated_at LIMIT ?`,
        [limit * 4],
      ),
    );
    if (scheduled.length === 0) return 0;
    const pools = rowsOf(
      await trx.raw(
        `SELECT p.name, p.slots - COALESCE((SELECT sum(pool_slots) FROM sluice_task_instances WHERE pool = p.name AND state IN ('queued', 'running')), 0) AS open
         FROM sluice_pools p`,
      ),
    );
    const dagIds = [...new Set(scheduled.map((r) => String(r.dag_id)))];
    const dagActive = rowsOf(
      await trx.raw(`SELECT dag_id, count(*) AS n FROM sluice_task_instances WHERE state IN ('queued', 'running') AND dag_id = ANY(?::text[]) GROUP BY dag_id`, [
        dagIds,
      ]),
    );
    const mappedActive = rowsOf(
      await trx.raw(
        `SELECT run_pk, task_id, count(*) AS n FROM sluice_task_instances
         WHERE state IN ('queued', 'running') AND map_index >= 0 AND run_pk = ANY(?::bigint[]) GROUP BY run_pk, task_id`,
        [[...new Set(scheduled.map((r) => Number(r.run_pk)))]],
      ),
    );
    const candidates: QueueCandidate[] = scheduled.map((r) => {
      const c: QueueCandidate = {
        runPk: Number(r.run_pk),
        taskId: String(r.task_id),
        mapIndex: Number(r.map_index),
        dagId: String(r.dag_id),
        pool: String(r.pool),
        poolSlots: Number(r.pool_slots),
        priorityWeight: Number(r.priority_weight),
        scheduledAt: new Date(r.updated_at as string | Date),
      };
      const cap = c.mapIndex >= 0 ? limits.maxActiveMapped(c.dagId, String(r.version_hash), c.taskId) : undefined;
      if (cap !== undefined) c.maxActiveMapped = cap;
      return c;
    });
    const selected = selectTasksToQueue({
      candidates,
      poolOpenSlots: Object.fromEntries(pools.map((p) => [String(p.name), Number(p.open)])),
      dagActiveTasks: Object.fromEntries(dagActive.map((d) => [String(d.dag_id), Number(d.n)])),
      dagMaxActiveTasks: Object.fromEntries(dagIds.map((id) => [id, limits.maxActiveTasks(id)])),
      mappedActive: Object.fromEntries(mappedActive.map((m) => [`${Number(m.run_pk)}:${String(m.task_id)}`, Number(m.n)])),
      limit,
    });
    if (selected.length === 0) return 0;
    const moved = rowsOf(
      await trx.raw(
        `UPDATE sluice_task_instances ti SET state = 'queued', queued_at = now(), updated_at = now()
         FROM unnest(?::bigint[], ?::text[], ?::int[]) AS k(run_pk, task_id, map_index)
         WHERE ti.run_pk = k.run_pk AND ti.task_id = k.task_id AND ti.map_index = k.map_index AND ti.state = 'scheduled'
         RETURNING ti.task_id`,
        [selected.map((s) => s.runPk), selected.map((s) => s.taskId), selected.map((s) => s.mapIndex)],
      ),
    );
    if (moved.length > 0) await notifyWakeup(trx, 'queued');
    return moved.length;
  });
}

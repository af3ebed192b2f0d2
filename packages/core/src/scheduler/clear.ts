import type { Knex } from 'knex';
import type { DagStructure } from '../authoring/structure.js';
import { rowsOf } from '../store/rows.js';

/** What to clear in a run. */
export interface ClearOptions {
  runPk: number;
  structure: DagStructure;
  /** Tasks to clear; all when omitted. */
  taskIds?: readonly string[];
  /** Also clear every task downstream of them. */
  downstream?: boolean;
  /** Only task instances that failed or are upstream_failed. */
  onlyFailed?: boolean;
}

/** Every task downstream of `ids` (transitively), with `ids`. */
export function withDownstream(structure: DagStructure, ids: readonly string[]): Set<string> {
  const out = new Set(ids);
  for (const t of structure.tasks) if (t.upstream.some((u) => out.has(u))) out.add(t.id);
  return out;
}

/**
 * Clears task instances so they run again (Airflow's "clear"): each goes back to `none` with a fresh try
 * budget, its output is removed, and a running attempt is fenced off (its late result is rejected). Mapped
 * tasks go back to their placeholder and expand again. A finished run goes back to `queued`.
 * Returns the number of task instances cleared.
 */
export async function clearTaskInstances(knex: Knex, o: ClearOptions): Promise<number> {
  const nodes = new Map(o.structure.tasks.map((t) => [t.id, t]));
  let ids = o.taskIds ? [...o.taskIds] : [...nodes.keys()];
  if (o.downstream) ids = [...withDownstream(o.structure, ids)];
  return knex.transaction(async (trx) => {
    const states = o.onlyFailed ? ['failed', 'upstream_failed'] : null;
    const targets = rowsOf(
      await trx.raw(
        `SELECT task_id, map_index, try_number, attempt_id, state FROM sluice_task_instances
         WHERE run_pk = ? AND task_id = ANY(?::text[]) AND (?::text[] IS NULL OR state = ANY(?::text[])) FOR UPDATE`,
        [o.runPk, ids, states, states],
      ),
    );
    if (targets.length === 0) return 0;
    const taskIds = [...new Set(targets.map((t) => String(t.task_id)))];
    const fenced = targets.filter((t) => t.attempt_id && t.state === 'running').map((t) => String(t.attempt_id));
    if (fenced.length > 0) {
      await trx.raw(`UPDATE sluice_attempts SET state = 'cleared', ended_at = now() WHERE attempt_id = ANY(?::uuid[]) AND ended_at IS NULL`, [fenced]);
    }
    await trx.raw(`DELETE FROM sluice_outputs WHERE run_pk = ? AND task_id = ANY(?::text[])`, [o.runPk, taskIds]);
    for (const taskId of taskIds) {
      const node = nodes.get(taskId);
      const retries = node?.retries ?? 0;
      const rows = targets.filter((t) => String(t.task_id) === taskId);
      const maxTry = Math.max(...rows.map((r) => Number(r.try_number)));
      if (node?.kind === 'map') {
        await trx.raw(`DELETE FROM sluice_task_instances WHERE run_pk = ? AND task_id = ?`, [o.runPk, taskId]);
        await trx.raw(
          `INSERT INTO sluice_task_instances (run_pk, task_id, map_index, dag_id, try_number, max_tries, pool, pool_slots, priority_weight, queue)
           VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?, ?)`,
          [o.runPk, taskId, o.structure.dagId, maxTry, maxTry + retries + 1, node.pool, node.poolSlots, node.priorityWeight, node.queue],
        );
      } else {
        await trx.raw(
          `UPDATE sluice_task_instances SET state = 'none', attempt_id = NULL, max_tries = try_number + ?, next_attempt_at = NULL,
             first_poke_at = NULL, pending_reschedule = false, queued_at = NULL, started_at = NULL, ended_at = NULL, error = NULL,
             heartbeat_at = NULL, updated_at = now()
           WHERE run_pk = ? AND task_id = ?`,
          [retries + 1, o.runPk, taskId],
        );
      }
    }
    await trx.raw(
      `UPDATE sluice_dag_runs SET state = CASE WHEN state IN ('success', 'failed') THEN 'queued' ELSE state END, ended_at = NULL WHERE id = ?`,
      [o.runPk],
    );
    return targets.length;
  });
}

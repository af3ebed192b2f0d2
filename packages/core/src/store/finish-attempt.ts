import type { Knex } from 'knex';
import type { TaskState } from '../states.js';
import { notifyWakeup } from './notify.js';
import { rowsOf } from './rows.js';

/** The end of an attempt, as the executor reports it. */
export interface AttemptFinish {
  runPk: number;
  taskId: string;
  mapIndex: number;
  /** The fencing token: only the attempt that owns the row may finish it. */
  attemptId: string;
  state: TaskState;
  nextAttemptAt?: Date | undefined;
  /** True when going to up_for_reschedule: the next claim keeps the try number. */
  reschedule?: boolean;
  error?: string | undefined;
  /** JSON text of the output (already size-checked), stored only on success. */
  outputJson?: string | undefined;
  /** Asset events to record on success. */
  assetEvents?: readonly { uri: string; metadata: Record<string, unknown> }[];
  dagId: string;
  runId: string;
}

/**
 * Finishes an attempt in one transaction with a guarded UPDATE (state `running` and this attempt id):
 * a stale attempt (timed out, cleared, declared dead) changes nothing and gets `false`. On success the
 * output and asset events are stored in the same transaction, and a `finished` wake-up is sent on commit.
 */
export async function finishAttempt(knex: Knex, f: AttemptFinish): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const updated = rowsOf(
      await trx.raw(
        `UPDATE sluice_task_instances SET state = ?, ended_at = now(), next_attempt_at = ?, error = ?,
           pending_reschedule = ?, updated_at = now()
         WHERE run_pk = ? AND task_id = ? AND map_index = ? AND state = 'running' AND attempt_id = ?
         RETURNING task_id`,
        [f.state, f.nextAttemptAt ?? null, f.error ?? null, f.reschedule ?? false, f.runPk, f.taskId, f.mapIndex, f.attemptId],
      ),
    );
    if (updated.length === 0) return false;
    await notifyWakeup(trx, 'finished');
    await trx.raw(`UPDATE sluice_attempts SET state = ?, ended_at = now(), error = ? WHERE attempt_id = ?`, [f.state, f.error ?? null, f.attemptId]);
    if (f.state === 'success') {
      if (f.outputJson !== undefined) {
        await trx.raw(
          `INSERT INTO sluice_outputs (run_pk, task_id, map_index, value, size_bytes) VALUES (?, ?, ?, ?::jsonb, ?)
           ON CONFLICT (run_pk, task_id, map_index) DO UPDATE SET value = EXCLUDED.value, size_bytes = EXCLUDED.size_bytes, created_at = now()`,
          [f.runPk, f.taskId, f.mapIndex, f.outputJson, Buffer.byteLength(f.outputJson)],
        );
      }
      for (const e of f.assetEvents ?? []) {
        await trx.raw(`INSERT INTO sluice_asset_events (uri, dag_id, run_id, task_id, metadata) VALUES (?, ?, ?, ?, ?::jsonb)`, [
          e.uri,
          f.dagId,
          f.runId,
          f.taskId,
          JSON.stringify(e.metadata),
        ]);
      }
    }
    return true;
  });
}

/**
 * Running attempts whose heartbeat is older than `thresholdMs` by the database's clock (their process is
 * presumed dead), except the ones in `exclude` (attempts this process is running itself).
 */
export async function findStaleAttempts(
  knex: Knex,
  thresholdMs: number,
  exclude: readonly string[] = [],
): Promise<{ runPk: number; taskId: string; mapIndex: number; attemptId: string; tryNumber: number; maxTries: number; dagId: string }[]> {
  const rows = rowsOf(
    await knex.raw(
      `SELECT run_pk, task_id, map_index, attempt_id, try_number, max_tries, dag_id FROM sluice_task_instances
       WHERE state = 'running' AND heartbeat_at < now() - (? * interval '1 millisecond') AND NOT (attempt_id = ANY(?::uuid[]))`,
      [thresholdMs, [...exclude]],
    ),
  );
  return rows.map((r) => ({
    runPk: Number(r.run_pk),
    taskId: String(r.task_id),
    mapIndex: Number(r.map_index),
    attemptId: String(r.attempt_id),
    tryNumber: Number(r.try_number),
    maxTries: Number(r.max_tries),
    dagId: String(r.dag_id),
  }));
}

/** How an attempt ended, as recorded on its `sluice_attempts` row (undefined while it has not ended). */
export async function getAttemptEnd(knex: Knex, attemptId: string): Promise<{ state: string; error: string | null } | undefined> {
  const row = rowsOf(await knex.raw(`SELECT state, error FROM sluice_attempts WHERE attempt_id = ? AND ended_at IS NOT NULL`, [attemptId]))[0];
  return row ? { state: String(row.state), error: row.error === null || row.error === undefined ? null : String(row.error) } : undefined;
}

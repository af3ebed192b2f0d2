import { rowsOf, toDate, toJson, type Queryable } from './rows.js';

/** A task instance claimed for execution: the attempt and what the task needs to know about its run. */
export interface ClaimedTask {
  runPk: number;
  runId: string;
  dagId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  maxTries: number;
  attemptId: string;
  versionHash: string;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  triggeringAssetEventIds: number[];
  firstPokeAt: Date | null;
  pool: string;
  poolSlots: number;
}

/** Who is claiming. */
export interface ClaimOptions {
  /** Queues this worker serves. */
  queues: readonly string[];
  /** At most this many task instances. */
  limit: number;
  /** Worker id (process id in the metadata store). */
  worker: string;
  hostname: string;
}

/**
 * Claims up to `limit` queued task instances in one statement: `FOR UPDATE SKIP LOCKED` picks rows no other
 * claimer holds, each gets a fresh attempt id (the fencing token for every later write), `try_number` moves
 * on (not for a sensor coming back from reschedule), and an attempt row is recorded.
 */
export async function claimQueuedTasks(db: Queryable, options: ClaimOptions): Promise<ClaimedTask[]> {
  if (options.limit <= 0) return [];
  const rows = rowsOf(
    await db.raw(
      `WITH picked AS (
         SELECT ti.run_pk, ti.task_id, ti.map_index FROM sluice_task_instances ti
         WHERE ti.state = 'queued' AND ti.queue = ANY(?::text[])
         ORDER BY ti.priority_weight DESC, ti.queued_at
         LIMIT ? FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE sluice_task_instances ti SET state = 'running', attempt_id = gen_random_uuid(),
           try_number = CASE WHEN ti.pending_reschedule THEN GREATEST(ti.try_number, 1) ELSE ti.try_number + 1 END,
           pending_reschedule = false, started_at = now(), ended_at = NULL, heartbeat_at = now(),
           worker = ?, hostname = ?, error = NULL, updated_at = now()
         FROM picked WHERE ti.run_pk = picked.run_pk AND ti.task_id = picked.task_id AND ti.map_index = picked.map_index
         RETURNING ti.*
       ), attempts AS (
         INSERT INTO sluice_attempts (attempt_id, run_pk, task_id, map_index, try_number, worker, hostname)
         SELECT attempt_id, run_pk, task_id, map_index, try_number, worker, hostname FROM claimed
       )
       SELECT c.run_pk, c.task_id, c.map_index, c.try_number, c.max_tries, c.attempt_id, c.first_poke_at, c.pool, c.pool_slots,
              r.run_id, r.dag_id, r.version_hash, r.logical_date, r.data_interval_start, r.data_interval_end, r.conf,
              r.triggering_asset_event_ids
       FROM claimed c JOIN sluice_dag_runs r ON r.id = c.run_pk`,
      [[...options.queues], options.limit, options.worker, options.hostname],
    ),
  );
  return rows.map((r) => ({
    runPk: Number(r.run_pk),
    runId: String(r.run_id),
    dagId: String(r.dag_id),
    taskId: String(r.task_id),
    mapIndex: Number(r.map_index),
    tryNumber: Number(r.try_number),
    maxTries: Number(r.max_tries),
    attemptId: String(r.attempt_id),
    versionHash: String(r.version_hash),
    logicalDate: toDate(r.logical_date) as Date,
    dataIntervalStart: toDate(r.data_interval_start) as Date,
    dataIntervalEnd: toDate(r.data_interval_end) as Date,
    conf: toJson(r.conf),
    triggeringAssetEventIds: ((r.triggering_asset_event_ids as unknown[] | null) ?? []).map(Number),
    firstPokeAt: toDate(r.first_poke_at),
    pool: String(r.pool),
    poolSlots: Number(r.pool_slots),
  }));
}

/** Records the first sensor check time (once). */
export async function markFirstPoke(db: Queryable, task: { runPk: number; taskId: string; mapIndex: number; attemptId: string }, at: Date): Promise<void> {
  await db.raw(
    `UPDATE sluice_task_instances SET first_poke_at = COALESCE(first_poke_at, ?)
     WHERE run_pk = ? AND task_id = ? AND map_index = ? AND attempt_id = ? AND state = 'running'`,
    [at, task.runPk, task.taskId, task.mapIndex, task.attemptId],
  );
}

/** Refreshes the heartbeat of running attempts (one statement for all of them). */
export async function heartbeatAttempts(db: Queryable, attemptIds: readonly string[]): Promise<void> {
  if (attemptIds.length === 0) return;
  await db.raw(`UPDATE sluice_task_instances SET heartbeat_at = now() WHERE attempt_id = ANY(?::uuid[]) AND state = 'running'`, [[...attemptIds]]);
}

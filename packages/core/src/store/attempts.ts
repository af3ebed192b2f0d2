import { rowsOf, toDate, type Queryable } from './rows.js';

/** One attempt of a task instance, as the API shows it. */
export interface AttemptRecord {
  attemptId: string;
  tryNumber: number;
  state: string;
  startedAt: Date;
  endedAt: Date | null;
  hostname: string | null;
  error: string | null;
}

/** Attempts of a task instance, oldest try first. */
export async function listAttempts(db: Queryable, q: { runPk: number; taskId: string; mapIndex: number }): Promise<AttemptRecord[]> {
  const rows = rowsOf(
    await db.raw(
      `SELECT attempt_id, try_number, state, started_at, ended_at, hostname, error FROM sluice_attempts
       WHERE run_pk = ? AND task_id = ? AND map_index = ? ORDER BY try_number, started_at`,
      [q.runPk, q.taskId, q.mapIndex],
    ),
  );
  return rows.map((r) => ({
    attemptId: String(r.attempt_id),
    tryNumber: Number(r.try_number),
    state: String(r.state),
    startedAt: toDate(r.started_at) as Date,
    endedAt: toDate(r.ended_at),
    hostname: (r.hostname as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  }));
}

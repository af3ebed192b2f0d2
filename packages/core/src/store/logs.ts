import type { LogLine } from '../logger.js';
import { rowsOf, toDate, type Queryable } from './rows.js';

/** Appends an attempt's log lines in one statement. */
export async function appendLogLines(db: Queryable, attemptId: string, lines: readonly LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db.raw(
    `INSERT INTO sluice_log_lines (attempt_id, logged_at, level, message, fields)
     SELECT ?::uuid, t.at, t.level, t.message, t.fields::jsonb FROM unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[]) AS t(at, level, message, fields)`,
    [attemptId, lines.map((l) => l.at), lines.map((l) => l.level), lines.map((l) => l.message), lines.map((l) => JSON.stringify(l.fields ?? {}))],
  );
}

/** A stored log line with its attempt. */
export interface StoredLogLine extends LogLine {
  id: number;
  tryNumber: number;
  attemptId: string;
}

/** Log lines of a task instance (all attempts, or one try), oldest first; `afterId` pages / tails. */
export async function getLogLines(
  db: Queryable,
  q: { runPk: number; taskId: string; mapIndex: number; tryNumber?: number; afterId?: number; limit?: number },
): Promise<StoredLogLine[]> {
  const rows = rowsOf(
    await db.raw(
      `SELECT l.id, l.logged_at, l.level, l.message, l.fields, a.try_number, a.attempt_id
       FROM sluice_log_lines l JOIN sluice_attempts a ON a.attempt_id = l.attempt_id
       WHERE a.run_pk = ? AND a.task_id = ? AND a.map_index = ? AND (?::int IS NULL OR a.try_number = ?::int) AND l.id > ?
       ORDER BY l.id LIMIT ?`,
      [q.runPk, q.taskId, q.mapIndex, q.tryNumber ?? null, q.tryNumber ?? null, q.afterId ?? 0, q.limit ?? 10_000],
    ),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: toDate(r.logged_at) as Date,
    level: r.level as LogLine['level'],
    message: String(r.message),
    fields: (typeof r.fields === 'string' ? JSON.parse(r.fields) : r.fields) as Record<string, unknown>,
    tryNumber: Number(r.try_number),
    attemptId: String(r.attempt_id),
  }));
}

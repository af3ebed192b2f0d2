import type { ReprocessPolicy } from '../scheduling/backfill-plan.js';
import { rowsOf, toDate, type Queryable } from './rows.js';

/** A backfill with its run counts by state. */
export interface BackfillRecord {
  id: number;
  dagId: string;
  from: Date;
  to: Date;
  reprocess: ReprocessPolicy;
  maxActiveRuns: number;
  state: 'running' | 'success' | 'failed' | 'cancelled';
  createdAt: Date;
  completedAt: Date | null;
  runs: { total: number; queued: number; running: number; success: number; failed: number };
}

/** Backfills (of one DAG, or one by id, or all), newest first, with run counts by state; all of them unless `limit` is given. */
export async function listBackfillRecords(db: Queryable, q: { dagId?: string | undefined; id?: number | undefined; limit?: number } = {}): Promise<BackfillRecord[]> {
  const rows = rowsOf(
    await db.raw(
      `SELECT b.*, count(r.id) AS total,
         count(r.id) FILTER (WHERE r.state = 'queued') AS queued, count(r.id) FILTER (WHERE r.state = 'running') AS running,
         count(r.id) FILTER (WHERE r.state = 'success') AS success, count(r.id) FILTER (WHERE r.state = 'failed') AS failed
       FROM sluice_backfills b LEFT JOIN sluice_dag_runs r ON r.backfill_id = b.id
       WHERE (?::text IS NULL OR b.dag_id = ?::text) AND (?::bigint IS NULL OR b.id = ?::bigint)
       GROUP BY b.id ORDER BY b.id DESC LIMIT ?`,
      [q.dagId ?? null, q.dagId ?? null, q.id ?? null, q.id ?? null, q.limit ?? null],
    ),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    dagId: String(r.dag_id),
    from: toDate(r.from_date) as Date,
    to: toDate(r.to_date) as Date,
    reprocess: r.reprocess as ReprocessPolicy,
    maxActiveRuns: Number(r.max_active_runs),
    state: r.state as BackfillRecord['state'],
    createdAt: toDate(r.created_at) as Date,
    completedAt: toDate(r.completed_at),
    runs: { total: Number(r.total), queued: Number(r.queued), running: Number(r.running), success: Number(r.success), failed: Number(r.failed) },
  }));
}

import type { RunState, RunType } from '../states.js';
import { rowsOf, toDagRun, type DagRunRecord, type Queryable } from './rows.js';

/** Filters and page of {@link listRunPage}. */
export interface RunPageQuery {
  dagId: string;
  state?: RunState | undefined;
  runType?: RunType | undefined;
  limit: number;
  offset: number;
}

/** One page of a DAG's runs, newest logical date first, with the total matching the filter. */
export async function listRunPage(db: Queryable, q: RunPageQuery): Promise<{ runs: DagRunRecord[]; total: number }> {
  const filter = `dag_id = ? AND (?::text IS NULL OR state = ?::text) AND (?::text IS NULL OR run_type = ?::text)`;
  const values = [q.dagId, q.state ?? null, q.state ?? null, q.runType ?? null, q.runType ?? null];
  const rows = rowsOf(await db.raw(`SELECT * FROM sluice_dag_runs WHERE ${filter} ORDER BY logical_date DESC, id DESC LIMIT ? OFFSET ?`, [...values, q.limit, q.offset]));
  const total = rowsOf(await db.raw(`SELECT count(*) AS n FROM sluice_dag_runs WHERE ${filter}`, values))[0];
  return { runs: rows.map(toDagRun), total: Number(total?.n ?? 0) };
}

/** The newest `limit` runs of each given DAG (newest first), by one lateral index lookup per DAG. */
export async function listRecentRuns(db: Queryable, dagIds: readonly string[], limit: number): Promise<Map<string, DagRunRecord[]>> {
  const out = new Map<string, DagRunRecord[]>(dagIds.map((id) => [id, []]));
  if (dagIds.length === 0) return out;
  const rows = rowsOf(
    await db.raw(
      `SELECT r.* FROM unnest(?::text[]) AS d(dag_id)
       CROSS JOIN LATERAL (SELECT * FROM sluice_dag_runs x WHERE x.dag_id = d.dag_id ORDER BY x.logical_date DESC, x.id DESC LIMIT ?) r
       ORDER BY r.dag_id, r.logical_date DESC, r.id DESC`,
      [[...dagIds], limit],
    ),
  );
  for (const run of rows.map(toDagRun)) out.get(run.dagId)?.push(run);
  return out;
}

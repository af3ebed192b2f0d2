import { rowsOf, type Queryable } from './rows.js';

/** Task instance counts of one (run, task, state): the grid's building block. */
export interface GridStateCount {
  runPk: number;
  taskId: string;
  state: string;
  count: number;
  /** Highest try number among them. */
  tryNumber: number;
  /** Whether these are mapped instances (map index ≥ 0). */
  mapped: boolean;
}

/** Task instance counts by run, task and state for the given runs (one aggregate query). */
export async function countGridStates(db: Queryable, runPks: readonly number[]): Promise<GridStateCount[]> {
  if (runPks.length === 0) return [];
  const rows = rowsOf(
    await db.raw(
      `SELECT run_pk, task_id, state, count(*) AS n, max(try_number) AS try_number, bool_or(map_index >= 0) AS mapped
       FROM sluice_task_instances WHERE run_pk = ANY(?::bigint[]) GROUP BY run_pk, task_id, state`,
      [[...runPks]],
    ),
  );
  return rows.map((r) => ({
    runPk: Number(r.run_pk),
    taskId: String(r.task_id),
    state: String(r.state),
    count: Number(r.n),
    tryNumber: Number(r.try_number),
    mapped: Boolean(r.mapped),
  }));
}

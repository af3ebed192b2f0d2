import { rowsOf, type Queryable } from './rows.js';

/**
 * For run decisions: the followed task ids of successful branch tasks, and the length of array outputs of
 * map sources (a mapped source counts its stored mapped outputs), per run.
 */
export async function getDecisionOutputs(
  db: Queryable,
  runPks: readonly number[],
  branchTaskIds: readonly string[],
  mapSourceIds: readonly string[],
): Promise<Map<number, { branchFollows: Record<string, string[]>; mapLengths: Record<string, number> }>> {
  const out = new Map<number, { branchFollows: Record<string, string[]>; mapLengths: Record<string, number> }>();
  const ids = [...new Set([...branchTaskIds, ...mapSourceIds])];
  if (runPks.length === 0 || ids.length === 0) return out;
  const rows = rowsOf(
    await db.raw(
      `SELECT o.run_pk, o.task_id, min(o.map_index) AS min_index, count(*) AS n,
              (array_agg(o.value ORDER BY o.map_index))[1] AS first_value
       FROM sluice_outputs o JOIN sluice_task_instances ti
         ON ti.run_pk = o.run_pk AND ti.task_id = o.task_id AND ti.map_index = o.map_index AND ti.state = 'success'
       WHERE o.run_pk = ANY(?::bigint[]) AND o.task_id = ANY(?::text[])
       GROUP BY o.run_pk, o.task_id`,
      [[...runPks], ids],
    ),
  );
  const branches = new Set(branchTaskIds);
  const sources = new Set(mapSourceIds);
  for (const r of rows) {
    const runPk = Number(r.run_pk);
    const taskId = String(r.task_id);
    const entry = out.get(runPk) ?? { branchFollows: {}, mapLengths: {} };
    out.set(runPk, entry);
    const value: unknown = r.first_value; // jsonb arrives parsed on both backends
    if (branches.has(taskId) && Array.isArray(value)) entry.branchFollows[taskId] = value.map(String);
    if (sources.has(taskId)) {
      entry.mapLengths[taskId] = Number(r.min_index) >= 0 ? Number(r.n) : Array.isArray(value) ? value.length : 0;
    }
  }
  return out;
}

/** Outputs of tasks in a run: a mapped task's outputs come as an array in map index order. */
export async function getTaskOutputs(
  db: Queryable,
  runPk: number,
  tasks: readonly { taskId: string; mapped: boolean }[],
): Promise<Map<string, unknown>> {
  const result = new Map<string, unknown>();
  if (tasks.length === 0) return result;
  const rows = rowsOf(
    await db.raw(`SELECT task_id, map_index, value FROM sluice_outputs WHERE run_pk = ? AND task_id = ANY(?::text[]) ORDER BY task_id, map_index`, [
      runPk,
      tasks.map((t) => t.taskId),
    ]),
  );
  const mapped = new Set(tasks.filter((t) => t.mapped).map((t) => t.taskId));
  for (const t of tasks) if (mapped.has(t.taskId)) result.set(t.taskId, []);
  for (const r of rows) {
    const value: unknown = r.value;
    const taskId = String(r.task_id);
    if (mapped.has(taskId)) (result.get(taskId) as unknown[])[Number(r.map_index)] = value;
    else result.set(taskId, value);
  }
  for (const t of tasks) {
    if (mapped.has(t.taskId)) {
      const list = result.get(t.taskId) as unknown[];
      for (let i = 0; i < list.length; i++) if (!(i in list)) list[i] = null;
    }
  }
  return result;
}

/** The output of `taskId` (unmapped) in the latest run before `logicalDate` where it succeeded. */
export async function getPreviousOutput(db: Queryable, dagId: string, taskId: string, logicalDate: Date): Promise<unknown> {
  const row = rowsOf(
    await db.raw(
      `SELECT o.value FROM sluice_outputs o
       JOIN sluice_dag_runs r ON r.id = o.run_pk
       JOIN sluice_task_instances ti ON ti.run_pk = o.run_pk AND ti.task_id = o.task_id AND ti.map_index = o.map_index
       WHERE r.dag_id = ? AND o.task_id = ? AND o.map_index = -1 AND ti.state = 'success' AND r.logical_date < ?
       ORDER BY r.logical_date DESC LIMIT 1`,
      [dagId, taskId, logicalDate],
    ),
  )[0];
  if (!row) return undefined;
  return row.value;
}

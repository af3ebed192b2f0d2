import type { GridStateCount } from '../../store/grid.js';
import type { DagRunRecord } from '../../store/rows.js';

/** One grid cell: a task in a run. `mapped` summarises mapped instances (null for a plain task). */
export interface GridCell {
  state: string;
  tryNumber: number;
  mapped: { total: number; byState: Record<string, number> } | null;
}

/** Which state a mapped task shows when its instances differ: the most urgent one first. */
const PRIORITY = ['running', 'failed', 'upstream_failed', 'up_for_retry', 'up_for_reschedule', 'queued', 'scheduled', 'none', 'success', 'skipped', 'removed'];

function rank(state: string): number {
  const i = PRIORITY.indexOf(state);
  return i < 0 ? PRIORITY.length : i;
}

/**
 * Cells keyed by run id then task id, from per-(run, task, state) counts. A mapped task's state is its
 * most urgent instance state, except that all-success (or success and skipped) shows success.
 */
export function buildGridCells(runs: readonly DagRunRecord[], counts: readonly GridStateCount[]): Record<string, Record<string, GridCell>> {
  const runIds = new Map(runs.map((r) => [r.pk, r.runId]));
  const cells: Record<string, Record<string, GridCell>> = Object.fromEntries(runs.map((r) => [r.runId, {}]));
  for (const row of counts) {
    const runId = runIds.get(row.runPk);
    if (runId === undefined) continue;
    const byTask = cells[runId] as Record<string, GridCell>;
    const cell = byTask[row.taskId] ?? { state: row.state, tryNumber: 0, mapped: null };
    cell.tryNumber = Math.max(cell.tryNumber, row.tryNumber);
    if (row.mapped) {
      cell.mapped ??= { total: 0, byState: {} };
      cell.mapped.total += row.count;
      cell.mapped.byState[row.state] = (cell.mapped.byState[row.state] ?? 0) + row.count;
      cell.state = Object.keys(cell.mapped.byState).sort((a, b) => rank(a) - rank(b))[0] ?? row.state;
    } else {
      cell.state = row.state;
    }
    byTask[row.taskId] = cell;
  }
  return cells;
}

// @ts-check
/** Airflow's grid: one column per run (oldest → newest), one row per task, each cell colored by state. */
import { api, errorMessage, seg, usePoll } from './api.js';
import { durationBetween, formatDate, formatDuration, href, html } from './html.js';
import { stateStyle } from './state-colors.js';

/** @typedef {import('./api.js').Grid} Grid */
/** @typedef {import('./api.js').GridCell} GridCell */
/** @typedef {import('./api.js').Run} Run */

/** The most telling state of a mapped task's instances. @param {Record<string, number>} byState */
function dominantState(byState) {
  for (const s of ['failed', 'upstream_failed', 'up_for_retry', 'running', 'queued', 'scheduled', 'none', 'skipped', 'success']) {
    if ((byState[s] ?? 0) > 0) return s;
  }
  return 'none';
}

/** @param {{ dagId: string, run: Run, taskId: string, cell: GridCell | undefined }} props */
function Cell({ dagId, run, taskId, cell }) {
  const state = cell ? (cell.mapped ? dominantState(cell.mapped.byState) : cell.state) : 'none';
  const label = cell?.mapped
    ? `${taskId} in ${run.runId}: ${Object.entries(cell.mapped.byState).map(([s, n]) => `${n} ${s}`).join(', ')}`
    : `${taskId} in ${run.runId}: ${state}${cell && cell.tryNumber > 1 ? ` (try ${cell.tryNumber})` : ''}`;
  return html`<td class="grid-cell">
    <a class="cell" href=${href('dags', dagId, 'runs', run.runId, 'tasks', taskId)} style=${stateStyle(state)} data-state=${state}
      aria-label=${label} title=${label}>${cell?.mapped ? String(cell.mapped.total) : ''}</a>
  </td>`;
}

/** @param {{ dagId: string }} props */
export function DagGrid({ dagId }) {
  const { data, error, loading } = usePoll(() => /** @type {Promise<Grid>} */ (api(`/dags/${seg(dagId)}/grid`, { query: { limit: 25 } })), [dagId]);
  if (loading && !data) return html`<p class="muted">Loading…</p>`;
  const grid = data;
  // Run bars are as tall as the run took, relative to the longest run shown (like Airflow's grid).
  const longest = Math.max(1, ...(grid?.runs ?? []).map((r) => durationBetween(r.startedAt, r.endedAt) ?? 0));
  return html`<section class="panel" aria-label="Grid">
    ${error ? html`<p class="error" role="alert">${errorMessage(error)}</p>` : null}
    ${grid && grid.runs.length === 0 ? html`<p class="muted">No runs yet. <a href=${href('dags', dagId, 'trigger')}>Trigger one.</a></p>` : null}
    ${grid && grid.runs.length > 0
      ? html`<div class="grid-scroll"><table class="grid" aria-label=${`Grid of ${dagId}`}>
          <thead>
            <tr>
              <th class="grid-task">Task \\ Run</th>
              ${grid.runs.map((r) => {
                const label = `run ${r.runId} ${r.state}`;
                const duration = durationBetween(r.startedAt, r.endedAt) ?? 0;
                const height = 8 + Math.round((28 * duration) / longest);
                return html`<th key=${r.runId} class="grid-run">
                  <a class="run-bar" href=${href('dags', dagId, 'runs', r.runId)} style=${{ ...stateStyle(r.state), height: `${height}px` }} data-state=${r.state}
                    aria-label=${label}
                    title=${`${r.runId}\n${r.runType}, logical date ${formatDate(r.logicalDate)}\n${r.state}, ${formatDuration(durationBetween(r.startedAt, r.endedAt))}`}></a>
                </th>`;
              })}
            </tr>
          </thead>
          <tbody>
            ${grid.tasks.map(
              (t) => html`<tr key=${t.taskId}>
                <th class="grid-task" scope="row">${t.group ? html`<span class="muted">${t.group}.</span>` : null}${t.taskId}</th>
                ${grid.runs.map((r) => html`<${Cell} key=${r.runId} dagId=${dagId} run=${r} taskId=${t.taskId} cell=${grid.cells[r.runId]?.[t.taskId]} />`)}
              </tr>`,
            )}
          </tbody>
        </table></div>
        <p class="muted small">Newest run on the right. Select a column head for the run, a cell for the task's attempts and logs.</p>`
      : null}
  </section>`;
}

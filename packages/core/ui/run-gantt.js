// @ts-check
/** Gantt chart of a run: one bar per task instance from its start to its end (or now while running). */
import { durationBetween, formatDate, formatDuration, href, html } from './html.js';
import { stateStyle } from './state-colors.js';

/** @typedef {import('./api.js').RunDetail} RunDetail */
/** @typedef {import('./api.js').TaskInstance} TaskInstance */

/** Task instance label: `task` or `task[2]`. @param {TaskInstance} ti */
export function instanceName(ti) {
  return ti.mapIndex >= 0 ? `${ti.taskId}[${ti.mapIndex}]` : ti.taskId;
}

/** @param {{ run: RunDetail, now?: number }} props */
export function RunGantt({ run, now = Date.now() }) {
  const started = run.taskInstances.filter((ti) => ti.startedAt);
  if (started.length === 0) return html`<p class="muted">No task has started yet.</p>`;
  const begin = Math.min(...started.map((ti) => Date.parse(/** @type {string} */ (ti.startedAt))), run.startedAt ? Date.parse(run.startedAt) : Infinity);
  const ends = started.map((ti) => (ti.endedAt ? Date.parse(ti.endedAt) : now));
  const finish = Math.max(...ends, run.endedAt ? Date.parse(run.endedAt) : 0, begin + 1);
  const span = finish - begin;
  /** @param {number} t */
  const pct = (t) => `${(((t - begin) / span) * 100).toFixed(3)}%`;
  return html`<div class="gantt" role="list" aria-label="Gantt">
    <div class="gantt-axis"><span>${formatDate(new Date(begin).toISOString())}</span><span>${formatDuration(span)}</span></div>
    ${run.taskInstances.map((ti) => {
      const name = instanceName(ti);
      const start = ti.startedAt ? Date.parse(ti.startedAt) : null;
      const end = ti.endedAt ? Date.parse(ti.endedAt) : now;
      const duration = ti.durationMs ?? durationBetween(ti.startedAt, ti.endedAt);
      const label = `${name}: ${ti.state}, ${start === null ? 'not started' : formatDuration(duration)}`;
      return html`<div key=${name} class="gantt-row" role="listitem">
        <a class="gantt-label" href=${`${href('dags', run.dagId, 'runs', run.runId, 'tasks', ti.taskId)}${ti.mapIndex >= 0 ? `?mapIndex=${ti.mapIndex}` : ''}`}>${name}</a>
        <div class="gantt-track">
          ${start === null
            ? null
            : html`<span class="gantt-bar" data-state=${ti.state} aria-label=${label} title=${label}
                style=${{ ...stateStyle(ti.state), left: pct(start), width: `max(2px, calc(${pct(end)} - ${pct(start)}))` }}></span>`}
        </div>
      </div>`;
    })}
  </div>`;
}

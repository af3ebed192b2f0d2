// @ts-check
/** One run: facts, actions (mark success/failed, clear), Gantt, and its task instances. */
import { useState } from 'preact/hooks';
import { api, errorMessage, isReadOnly, READ_ONLY_TITLE, seg, useAction, usePoll } from './api.js';
import { durationBetween, formatDate, formatDuration, href, html } from './html.js';
import { instanceName, RunGantt } from './run-gantt.js';
import { StateBadge } from './state-colors.js';

/** @typedef {import('./api.js').RunDetail} RunDetail */
/** @typedef {{ taskId: string, mapIndex: number }} ClearedInstance */

/**
 * A clear button that first asks the server for a dry run and shows what would be cleared.
 * @param {{ label: string, clear: (dryRun: boolean) => Promise<{ cleared: ClearedInstance[] }>, onDone: () => void }} props
 */
export function ClearButton({ label, clear, onDone }) {
  const action = useAction();
  const [pending, setPending] = useState(/** @type {ClearedInstance[] | null} */ (null));
  const preview = () => action.run(async () => setPending((await clear(true)).cleared));
  const confirm = () =>
    action.run(async () => {
      await clear(false);
      setPending(null);
      onDone();
    });
  if (pending) {
    return html`<div class="confirm" role="group" aria-label=${`Confirm ${label.toLowerCase()}`}>
      ${pending.length === 0
        ? html`<span>Nothing to clear.</span> <button onClick=${() => setPending(null)}>OK</button>`
        : html`<span>Clear ${pending.map((c) => (c.mapIndex >= 0 ? `${c.taskId}[${c.mapIndex}]` : c.taskId)).join(', ')}?</span>
            <button class="danger" onClick=${confirm} disabled=${action.busy}>Confirm clear</button>
            <button onClick=${() => setPending(null)}>Cancel</button>`}
      ${action.error ? html`<span class="error" role="alert">${errorMessage(action.error)}</span>` : null}
    </div>`;
  }
  return html`<span>
    <button onClick=${preview} disabled=${action.busy || isReadOnly()} title=${isReadOnly() ? READ_ONLY_TITLE : undefined}>${label}</button>
    ${action.error ? html`<span class="error" role="alert">${errorMessage(action.error)}</span>` : null}
  </span>`;
}

/** @param {{ dagId: string, runId: string }} props */
export function RunPage({ dagId, runId }) {
  const path = `/dags/${seg(dagId)}/runs/${seg(runId)}`;
  const { data: run, error, reload } = usePoll(() => /** @type {Promise<RunDetail>} */ (api(path)), [dagId, runId]);
  const mark = useAction();
  const readOnly = isReadOnly();
  /** @param {'success' | 'failed'} state */
  const markRun = (state) => mark.run(async () => {
    await api(path, { method: 'PATCH', body: { state } });
    await reload();
  });
  /** @param {boolean} onlyFailed @param {boolean} dryRun */
  const clearRun = (onlyFailed, dryRun) => /** @type {Promise<{ cleared: ClearedInstance[] }>} */ (api(`${path}/clear`, { method: 'POST', body: { onlyFailed, dryRun } }));
  return html`<div>
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">DAGs</a> / <a href=${href('dags', dagId)}>${dagId}</a> / <span>${runId}</span></nav>
    <div class="page-head">
      <h1>Run ${runId}</h1>
      ${run ? html`<span aria-label="Run state"><${StateBadge} state=${run.state} /></span>` : null}
    </div>
    ${error ? html`<p class="error" role="alert">${errorMessage(error)}</p>` : null}
    ${run
      ? html`
        <dl class="facts">
          <div><dt>Type</dt><dd>${run.runType}</dd></div>
          <div><dt>Logical date</dt><dd>${formatDate(run.logicalDate)}</dd></div>
          <div><dt>Data interval</dt><dd>${formatDate(run.dataIntervalStart)} → ${formatDate(run.dataIntervalEnd)}</dd></div>
          <div><dt>Started</dt><dd>${formatDate(run.startedAt)}</dd></div>
          <div><dt>Ended</dt><dd>${formatDate(run.endedAt)}</dd></div>
          <div><dt>Duration</dt><dd>${formatDuration(durationBetween(run.startedAt, run.endedAt))}</dd></div>
          ${run.backfillId ? html`<div><dt>Backfill</dt><dd>${run.backfillId}</dd></div>` : null}
        </dl>
        ${Object.keys(run.conf ?? {}).length > 0 ? html`<details class="conf" open><summary>Conf</summary><pre>${JSON.stringify(run.conf, null, 2)}</pre></details>` : null}
        <div class="actions" role="toolbar" aria-label="Run actions">
          <button onClick=${() => markRun('success')} disabled=${mark.busy || readOnly || run.state === 'success'}
            title=${readOnly ? READ_ONLY_TITLE : 'Mark the run and its unfinished tasks success'}>Mark success</button>
          <button class="danger" onClick=${() => markRun('failed')} disabled=${mark.busy || readOnly || run.state === 'failed'}
            title=${readOnly ? READ_ONLY_TITLE : 'Mark the run and its unfinished tasks failed'}>Mark failed</button>
          <${ClearButton} label="Clear failed tasks" clear=${(/** @type {boolean} */ dry) => clearRun(true, dry)} onDone=${reload} />
          <${ClearButton} label="Clear all tasks" clear=${(/** @type {boolean} */ dry) => clearRun(false, dry)} onDone=${reload} />
          ${mark.error ? html`<span class="error" role="alert">${errorMessage(mark.error)}</span>` : null}
        </div>
        <section class="panel">
          <h2>Gantt</h2>
          <${RunGantt} run=${run} />
        </section>
        <section class="panel">
          <h2>Task instances</h2>
          <table class="table" aria-label="Task instances">
            <thead><tr><th>Task</th><th>State</th><th>Try</th><th>Started</th><th>Duration</th><th>Operator</th><th>Pool / queue</th></tr></thead>
            <tbody>
              ${run.taskInstances.map(
                (ti) => html`<tr key=${instanceName(ti)}>
                  <td><a href=${`${href('dags', dagId, 'runs', runId, 'tasks', ti.taskId)}${ti.mapIndex >= 0 ? `?mapIndex=${ti.mapIndex}` : ''}`}>${instanceName(ti)}</a></td>
                  <td><${StateBadge} state=${ti.state} />${ti.nextAttemptAt ? html` <span class="muted small">next try ${formatDate(ti.nextAttemptAt)}</span>` : null}</td>
                  <td>${ti.tryNumber} / ${ti.maxTries}</td>
                  <td class="small">${formatDate(ti.startedAt)}</td>
                  <td>${formatDuration(ti.durationMs ?? durationBetween(ti.startedAt, ti.endedAt))}</td>
                  <td class="small">${ti.operator ?? '—'}</td>
                  <td class="small">${ti.pool} / ${ti.queue}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </section>`
      : null}
  </div>`;
}

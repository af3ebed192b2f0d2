// @ts-check
/** The home page: every DAG with its schedule in words, paused toggle and recent run states; import errors. */
import { useState } from 'preact/hooks';
import { api, errorMessage, isReadOnly, READ_ONLY_TITLE, seg, useAction, usePoll } from './api.js';
import { formatDate, href, html } from './html.js';
import { StateBadge, stateStyle } from './state-colors.js';

/** @typedef {import('./api.js').Dag} Dag */
/** @typedef {import('./api.js').ImportError} ImportError */

/** The paused switch of a DAG (checked = paused). @param {{ dag: Dag, onChanged: () => void }} props */
export function PausedToggle({ dag, onChanged }) {
  const action = useAction();
  const [optimistic, setOptimistic] = useState(/** @type {boolean | null} */ (null));
  const paused = optimistic ?? dag.paused;
  const toggle = async () => {
    const next = !paused;
    setOptimistic(next);
    await action.run(() => api(`/dags/${seg(dag.dagId)}`, { method: 'PATCH', body: { paused: next } }));
    setOptimistic(null);
    onChanged();
  };
  const readOnly = isReadOnly();
  return html`<label class="switch" title=${readOnly ? READ_ONLY_TITLE : paused ? 'Paused: no new scheduled runs' : 'Active'}>
    <input type="checkbox" role="switch" aria-label=${`${dag.dagId} paused`} checked=${paused} disabled=${action.busy || readOnly} onChange=${toggle} />
    <span>${paused ? 'paused' : 'active'}</span>
    ${action.error ? html`<span class="error" role="alert">${errorMessage(action.error)}</span>` : null}
  </label>`;
}

/** Little colored squares for the newest runs, oldest on the left. @param {{ dag: Dag }} props */
function RecentRuns({ dag }) {
  const runs = [...dag.recentRuns].reverse();
  if (runs.length === 0) return html`<span class="muted">no runs</span>`;
  return html`<span class="recent-runs">
    ${runs.map(
      (r) => html`<a key=${r.runId} class="run-dot" href=${href('dags', dag.dagId, 'runs', r.runId)} style=${stateStyle(r.state)}
        title=${`${r.runId}: ${r.state}`} aria-label=${`run ${r.runId} ${r.state}`}></a>`,
    )}
  </span>`;
}

/** @param {{ errors: ImportError[] }} props */
function ImportErrors({ errors }) {
  if (errors.length === 0) return null;
  return html`<section class="panel error-panel" aria-label="Import errors">
    <h2>Import errors (${errors.length})</h2>
    <ul class="import-errors">
      ${errors.map(
        (e) => html`<li key=${e.file}><strong>${e.file}</strong> <span class="muted">${formatDate(e.recordedAt)}</span><pre>${e.error}</pre></li>`,
      )}
    </ul>
  </section>`;
}

/** The DAG list page. */
export function DagList() {
  const [filter, setFilter] = useState('');
  /** @type {ReturnType<typeof usePoll<{ dags: Dag[], importErrors: ImportError[] }>>} */
  const { data, error, loading, reload } = usePoll(() => api('/dags'), []);
  const needle = filter.trim().toLowerCase();
  const dags = (data?.dags ?? []).filter(
    (d) => !needle || d.dagId.toLowerCase().includes(needle) || d.tags.some((t) => t.toLowerCase().includes(needle)),
  );
  return html`<div>
    <div class="page-head">
      <h1>DAGs</h1>
      <label class="filter"><span class="visually-hidden">Filter DAGs</span>
        <input type="search" placeholder="Filter by id or tag" value=${filter} aria-label="Filter DAGs"
          onInput=${(/** @type {Event} */ e) => setFilter(/** @type {HTMLInputElement} */ (e.currentTarget).value)} />
      </label>
    </div>
    ${error ? html`<p class="error" role="alert">${errorMessage(error)}</p>` : null}
    ${data ? html`<${ImportErrors} errors=${data.importErrors} />` : null}
    ${loading && !data
      ? html`<p class="muted">Loading…</p>`
      : html`<table class="table" aria-label="DAGs">
          <thead><tr><th>DAG</th><th>Schedule</th><th>Next run</th><th>Last run</th><th>Recent runs</th><th>Paused</th></tr></thead>
          <tbody>
            ${dags.map(
              (d) => html`<tr key=${d.dagId}>
                <td>
                  <a class="dag-link" href=${href('dags', d.dagId)}>${d.dagId}</a>
                  ${d.tags.map((t) => html`<span key=${t} class="tag">${t}</span>`)}
                  ${d.description ? html`<div class="muted small">${d.description}</div>` : null}
                </td>
                <td>
                  <div>${d.scheduleDescription}</div>
                  ${d.schedule ? html`<code class="small">${d.schedule}</code>` : null}
                  ${d.timezone && d.timezone !== 'UTC' ? html` <span class="muted small">${d.timezone}</span>` : null}
                </td>
                <td class="small">${d.nextRun ? formatDate(d.nextRun.logicalDate) : '—'}</td>
                <td class="small">${d.lastRun ? html`<${StateBadge} state=${d.lastRun.state} /> ${formatDate(d.lastRun.logicalDate)}` : '—'}</td>
                <td><${RecentRuns} dag=${d} /></td>
                <td><${PausedToggle} dag=${d} onChanged=${reload} /></td>
              </tr>`,
            )}
            ${dags.length === 0 ? html`<tr><td colspan="6" class="muted">${needle ? 'No DAG matches the filter.' : 'No DAGs yet.'}</td></tr>` : null}
          </tbody>
        </table>`}
  </div>`;
}

// @ts-check
/** Backfills: progress of each (done / failed / running of total), cancel, and a form to start one for a DAG. */
import { useState } from 'preact/hooks';
import { api, ApiError, errorMessage, isReadOnly, READ_ONLY_TITLE, seg, useAction, usePoll } from './api.js';
import { formatDate, href, html } from './html.js';
import { StateBadge, stateColor } from './state-colors.js';

/** @typedef {import('./api.js').Backfill} Backfill */
/** @typedef {{ dryRun: true, runs: { logicalDate: string, action: string }[] }} BackfillPlan */

/** A stacked progress bar. @param {{ backfill: Backfill }} props */
function Progress({ backfill: b }) {
  const total = Math.max(1, b.total);
  const ok = Math.max(0, b.done - b.failed);
  /** @param {number} n */
  const w = (n) => `${((n / total) * 100).toFixed(2)}%`;
  return html`<div class="progress" role="progressbar" aria-label=${`Backfill ${b.backfillId} progress`}
      aria-valuemin="0" aria-valuemax=${b.total} aria-valuenow=${b.done} title=${`${b.done} of ${b.total} done, ${b.failed} failed, ${b.running} running`}>
    <span style=${{ width: w(ok), background: stateColor('success') }}></span>
    <span style=${{ width: w(b.failed), background: stateColor('failed') }}></span>
    <span style=${{ width: w(b.running), background: stateColor('running') }}></span>
  </div>`;
}

/** @param {{ dagId: string, onCreated: () => void }} props */
function BackfillForm({ dagId, onCreated }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reprocess, setReprocess] = useState('none');
  const [maxActiveRuns, setMaxActiveRuns] = useState('');
  const [plan, setPlan] = useState(/** @type {BackfillPlan | null} */ (null));
  const [error, setError] = useState(/** @type {{ field?: string, message: string } | null} */ (null));
  const [busy, setBusy] = useState(false);

  /** @param {boolean} dryRun */
  const send = async (dryRun) => {
    setBusy(true);
    setError(null);
    try {
      /** @type {Record<string, unknown>} */
      const body = { from: from.trim(), to: to.trim(), reprocess, dryRun };
      if (maxActiveRuns.trim()) body.maxActiveRuns = Number(maxActiveRuns);
      const result = await api(`/dags/${seg(dagId)}/backfills`, { method: 'POST', body });
      if (dryRun) setPlan(/** @type {BackfillPlan} */ (result));
      else {
        setPlan(null);
        onCreated();
      }
    } catch (e) {
      setError({ message: errorMessage(e), ...(e instanceof ApiError && e.field ? { field: e.field } : {}) });
    } finally {
      setBusy(false);
    }
  };
  /** @param {(v: string) => void} set */
  const onText = (set) => (/** @type {Event} */ e) => set(/** @type {HTMLInputElement} */ (e.currentTarget).value);
  return html`<form class="inline-form" aria-label="New backfill" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); void send(false); }}>
    <div class="field"><label for="bf-from">From</label><input id="bf-from" placeholder="2026-01-01" value=${from} onInput=${onText(setFrom)} /></div>
    <div class="field"><label for="bf-to">To</label><input id="bf-to" placeholder="2026-01-07" value=${to} onInput=${onText(setTo)} /></div>
    <div class="field"><label for="bf-reprocess">Reprocess</label>
      <select id="bf-reprocess" value=${reprocess} onChange=${onText(setReprocess)}>
        <option value="none">none (skip dates that have a run)</option>
        <option value="failed">failed runs</option>
        <option value="all">all runs</option>
      </select></div>
    <div class="field"><label for="bf-max">Max active runs</label><input id="bf-max" inputmode="numeric" value=${maxActiveRuns} onInput=${onText(setMaxActiveRuns)} /></div>
    <div class="actions">
      <button type="button" onClick=${() => send(true)} disabled=${busy || isReadOnly()} title=${isReadOnly() ? READ_ONLY_TITLE : undefined}>Dry run</button>
      <button type="submit" class="primary" disabled=${busy || isReadOnly()} title=${isReadOnly() ? READ_ONLY_TITLE : undefined}>Start backfill</button>
    </div>
    ${error ? html`<p class="error" role="alert">${error.field ? `${error.field}: ` : ''}${error.message}</p>` : null}
    ${plan
      ? html`<div class="plan" aria-label="Backfill plan"><strong>${plan.runs.length} run(s):</strong>
          <ul>${plan.runs.map((r) => html`<li key=${r.logicalDate}>${formatDate(r.logicalDate)} — ${r.action}</li>`)}</ul></div>`
      : null}
  </form>`;
}

/** @param {{ dagId: string | null }} props */
export function BackfillsPage({ dagId }) {
  const { data, error, reload } = usePoll(
    () => /** @type {Promise<{ backfills: Backfill[] }>} */ (api('/backfills', { query: { dagId: dagId ?? undefined } })),
    [dagId],
  );
  const cancel = useAction();
  return html`<section class="panel" aria-label="Backfills">
    ${dagId ? null : html`<h1>Backfills</h1>`}
    ${dagId ? html`<h2>New backfill</h2><${BackfillForm} dagId=${dagId} onCreated=${reload} />` : null}
    ${error || cancel.error ? html`<p class="error" role="alert">${errorMessage(error ?? cancel.error)}</p>` : null}
    <table class="table" aria-label="Backfill list">
      <thead><tr>${dagId ? null : html`<th>DAG</th>`}<th>Range</th><th>State</th><th>Progress</th><th>Reprocess</th><th>Created</th><th></th></tr></thead>
      <tbody>
        ${(data?.backfills ?? []).map(
          (b) => html`<tr key=${b.backfillId}>
            ${dagId ? null : html`<td><a href=${href('dags', b.dagId, 'backfills')}>${b.dagId}</a></td>`}
            <td class="small">${formatDate(b.from)} → ${formatDate(b.to)}</td>
            <td><${StateBadge} state=${b.state} /></td>
            <td><${Progress} backfill=${b} /> <span class="small">${b.done}/${b.total}${b.failed ? `, ${b.failed} failed` : ''}${b.running ? `, ${b.running} running` : ''}</span></td>
            <td>${b.reprocess}</td>
            <td class="small">${formatDate(b.createdAt)}</td>
            <td>${['running', 'queued'].includes(b.state)
              ? html`<button disabled=${cancel.busy || isReadOnly()} aria-label=${`Cancel backfill ${b.backfillId}`}
                  onClick=${() => cancel.run(async () => { await api(`/backfills/${seg(b.backfillId)}/cancel`, { method: 'POST', body: {} }); await reload(); })}>Cancel</button>`
              : null}</td>
          </tr>`,
        )}
        ${data && data.backfills.length === 0 ? html`<tr><td colspan="7" class="muted">No backfills.</td></tr>` : null}
      </tbody>
    </table>
  </section>`;
}

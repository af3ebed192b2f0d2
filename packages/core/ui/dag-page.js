// @ts-check
/** One DAG: header (schedule, paused toggle, trigger), and the grid, graph, trigger and backfill tabs. */
import { api, errorMessage, seg, usePoll } from './api.js';
import { BackfillsPage } from './backfills.js';
import { PausedToggle } from './dag-list.js';
import { DagGraph } from './dag-graph.js';
import { DagGrid } from './dag-grid.js';
import { formatDate, href, html } from './html.js';
import { StateLegend } from './state-colors.js';
import { TriggerForm } from './trigger-form.js';

/** @typedef {import('./api.js').DagDetail} DagDetail */

const TABS = [
  ['grid', 'Grid'],
  ['graph', 'Graph'],
  ['trigger', 'Trigger'],
  ['backfills', 'Backfills'],
];

/** @param {{ dagId: string, tab: string }} props */
export function DagPage({ dagId, tab }) {
  const { data: dag, error, reload } = usePoll(() => /** @type {Promise<DagDetail>} */ (api(`/dags/${seg(dagId)}`)), [dagId]);
  return html`<div>
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">DAGs</a> / <span>${dagId}</span></nav>
    <div class="page-head">
      <h1>${dagId}</h1>
      ${dag ? html`<${PausedToggle} dag=${dag} onChanged=${reload} />` : null}
      <span class="spacer"></span>
      <a class="button primary" href=${href('dags', dagId, 'trigger')}>Trigger DAG</a>
    </div>
    ${error ? html`<p class="error" role="alert">${errorMessage(error)}</p>` : null}
    ${dag
      ? html`<dl class="facts">
          <div><dt>Schedule</dt><dd>${dag.scheduleDescription}${dag.schedule ? html` <code>${dag.schedule}</code>` : null}</dd></div>
          <div><dt>Timezone</dt><dd>${dag.timezone}</dd></div>
          <div><dt>Next run</dt><dd>${dag.nextRun ? formatDate(dag.nextRun.logicalDate) : '—'}</dd></div>
          ${dag.owner ? html`<div><dt>Owner</dt><dd>${dag.owner}</dd></div>` : null}
          ${dag.file ? html`<div><dt>File</dt><dd><code>${dag.file}</code></dd></div>` : null}
          ${dag.description ? html`<div><dt>Description</dt><dd>${dag.description}</dd></div>` : null}
        </dl>`
      : null}
    <nav class="tabs" aria-label="DAG views">
      ${TABS.map(
        ([id, label]) => html`<a key=${id} href=${id === 'grid' ? href('dags', dagId) : href('dags', dagId, String(id))}
          aria-current=${tab === id ? 'page' : undefined}>${label}</a>`,
      )}
    </nav>
    ${tab === 'graph' && dag ? html`<${DagGraph} dag=${dag} />` : null}
    ${tab === 'trigger' && dag ? html`<${TriggerForm} dag=${dag} />` : null}
    ${tab === 'backfills' ? html`<${BackfillsPage} dagId=${dagId} />` : null}
    ${tab === 'grid' ? html`<${DagGrid} dagId=${dagId} />` : null}
    ${tab === 'grid' || tab === 'graph' ? html`<${StateLegend} />` : null}
  </div>`;
}

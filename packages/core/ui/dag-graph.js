// @ts-check
/** The DAG as a left-to-right graph (longest-path layering, computed here), nodes colored by a run's states. */
import { useState } from 'preact/hooks';
import { api, errorMessage, seg, usePoll } from './api.js';
import { formatDate, href, html } from './html.js';
import { stateColor, stateTextColor } from './state-colors.js';

/** @typedef {import('./api.js').DagDetail} DagDetail */
/** @typedef {import('./api.js').DagTask} DagTask */
/** @typedef {import('./api.js').Run} Run */
/** @typedef {import('./api.js').RunDetail} RunDetail */
/** @typedef {{ taskId: string, layer: number, order: number, x: number, y: number }} PlacedNode */

const NODE_W = 150;
const NODE_H = 34;
const GAP_X = 50;
const GAP_Y = 18;
const PAD = 16;

/**
 * Places tasks in layers: a task's layer is the length of the longest upstream path to it; within a layer
 * tasks are ordered by the mean position of their upstream tasks (one barycenter pass).
 * @param {readonly Pick<DagTask, 'taskId' | 'upstream'>[]} tasks
 * @returns {{ nodes: Map<string, PlacedNode>, width: number, height: number }}
 */
export function layoutDag(tasks) {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  /** @type {Map<string, number>} */
  const layerOf = new Map();
  /** @param {string} id @param {Set<string>} visiting @returns {number} */
  const layer = (id, visiting) => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle cannot be stored, but never loop forever
    visiting.add(id);
    const ups = (byId.get(id)?.upstream ?? []).filter((u) => byId.has(u));
    const value = ups.length === 0 ? 0 : 1 + Math.max(...ups.map((u) => layer(u, visiting)));
    visiting.delete(id);
    layerOf.set(id, value);
    return value;
  };
  /** @type {string[][]} */
  const layers = [];
  for (const t of tasks) {
    const l = layer(t.taskId, new Set());
    (layers[l] ??= []).push(t.taskId);
  }
  /** @type {Map<string, number>} */
  const orderOf = new Map();
  layers.forEach((ids, l) => {
    if (l > 0) {
      /** @param {string} id */
      const center = (id) => {
        const ups = (byId.get(id)?.upstream ?? []).map((u) => orderOf.get(u)).filter((o) => o !== undefined);
        return ups.length ? ups.reduce((a, b) => a + b, 0) / ups.length : Number.MAX_SAFE_INTEGER;
      };
      ids.sort((a, b) => center(a) - center(b));
    }
    ids.forEach((id, i) => orderOf.set(id, i));
  });
  const tallest = Math.max(1, ...layers.map((ids) => ids?.length ?? 0));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  /** @type {Map<string, PlacedNode>} */
  const nodes = new Map();
  layers.forEach((ids, l) => {
    const columnHeight = ids.length * NODE_H + (ids.length - 1) * GAP_Y;
    const top = (height - columnHeight) / 2;
    ids.forEach((id, i) => {
      nodes.set(id, { taskId: id, layer: l, order: i, x: PAD + l * (NODE_W + GAP_X), y: top + i * (NODE_H + GAP_Y) });
    });
  });
  const width = PAD * 2 + layers.length * NODE_W + Math.max(0, layers.length - 1) * GAP_X;
  return { nodes, width, height };
}

/**
 * The SVG path of the edge a → b: a curve between neighbouring layers; an edge that skips layers runs
 * above or below the nodes of the layers it crosses (whichever is closer) when a straight line would hit one.
 * @param {PlacedNode} a @param {PlacedNode} b @param {Map<string, PlacedNode>} nodes
 */
export function edgePath(a, b, nodes) {
  const x1 = a.x + NODE_W;
  const y1 = a.y + NODE_H / 2;
  const x2 = b.x - 2;
  const y2 = b.y + NODE_H / 2;
  const curve = (/** @type {number} */ xa, /** @type {number} */ ya, /** @type {number} */ xb, /** @type {number} */ yb) => {
    const mid = (xa + xb) / 2;
    return `C ${mid} ${ya}, ${mid} ${yb}, ${xb} ${yb}`;
  };
  const between = [...nodes.values()].filter((n) => n.layer > a.layer && n.layer < b.layer);
  const blocked = between.some((n) => {
    const t = (n.x + NODE_W / 2 - x1) / (x2 - x1);
    const y = y1 + t * (y2 - y1);
    return y > n.y - 4 && y < n.y + NODE_H + 4;
  });
  if (!blocked) return `M ${x1} ${y1} ${curve(x1, y1, x2, y2)}`;
  const top = Math.min(...between.map((n) => n.y)) - GAP_Y / 2;
  const bottom = Math.max(...between.map((n) => n.y + NODE_H)) + GAP_Y / 2;
  const middle = (y1 + y2) / 2;
  const yd = Math.abs(middle - top) <= Math.abs(middle - bottom) ? top : bottom;
  const xa = Math.min(...between.map((n) => n.x)) - GAP_X / 2;
  const xb = Math.max(...between.map((n) => n.x + NODE_W)) + GAP_X / 2;
  return `M ${x1} ${y1} ${curve(x1, y1, xa, yd)} L ${xb} ${yd} ${curve(xb, yd, x2, y2)}`;
}

/** State of a task in a run (mapped instances summarized by the most telling one). @param {RunDetail | undefined} run @param {string} taskId */
function taskState(run, taskId) {
  const tis = run?.taskInstances.filter((ti) => ti.taskId === taskId) ?? [];
  if (tis.length === 0) return 'none';
  if (tis.length === 1) return tis[0]?.state ?? 'none';
  for (const s of ['failed', 'upstream_failed', 'up_for_retry', 'running', 'queued', 'scheduled', 'none', 'skipped', 'success']) {
    if (tis.some((ti) => ti.state === s)) return s;
  }
  return 'none';
}

/** @param {{ dag: DagDetail }} props */
export function DagGraph({ dag }) {
  const [chosenRun, setChosenRun] = useState(/** @type {string | null} */ (null));
  const runs = usePoll(() => /** @type {Promise<{ runs: Run[], total: number }>} */ (api(`/dags/${seg(dag.dagId)}/runs`, { query: { limit: 25 } })), [dag.dagId]);
  const runId = chosenRun ?? runs.data?.runs[0]?.runId ?? null;
  const run = usePoll(
    () => (runId ? /** @type {Promise<RunDetail>} */ (api(`/dags/${seg(dag.dagId)}/runs/${seg(runId)}`)) : Promise.resolve(undefined)),
    [dag.dagId, runId],
  );
  const { nodes, width, height } = layoutDag(dag.tasks);
  const detail = run.data;
  return html`<section class="panel" aria-label="Graph">
    <div class="toolbar">
      <label>Run
        <select aria-label="Run shown in the graph" value=${runId ?? ''}
          onChange=${(/** @type {Event} */ e) => setChosenRun(/** @type {HTMLSelectElement} */ (e.currentTarget).value || null)}>
          ${(runs.data?.runs ?? []).map((r) => html`<option key=${r.runId} value=${r.runId}>${formatDate(r.logicalDate)} — ${r.runId} (${r.state})</option>`)}
          ${runs.data && runs.data.runs.length === 0 ? html`<option value="">no runs</option>` : null}
        </select>
      </label>
      ${runs.error || run.error ? html`<span class="error" role="alert">${errorMessage(runs.error ?? run.error)}</span>` : null}
    </div>
    <div class="graph-scroll">
      <svg class="graph" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${`Graph of ${dag.dagId}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a8a8a" />
          </marker>
        </defs>
        ${dag.tasks.flatMap((t) =>
          t.upstream.map((u) => {
            const a = nodes.get(u);
            const b = nodes.get(t.taskId);
            if (!a || !b) return null;
            return html`<path key=${`${u}->${t.taskId}`} class="edge" d=${edgePath(a, b, nodes)} marker-end="url(#arrow)" />`;
          }),
        )}
        ${dag.tasks.map((t) => {
          const n = nodes.get(t.taskId);
          if (!n) return null;
          const state = taskState(detail, t.taskId);
          const link = runId ? href('dags', dag.dagId, 'runs', runId, 'tasks', t.taskId) : undefined;
          const label = `${t.taskId}: ${state}`;
          const body = html`<g class="node" data-state=${state} transform=${`translate(${n.x},${n.y})`}>
            <title>${`${t.taskId} (${t.kind}${t.operator ? `, ${t.operator}` : ''}) — ${state}\ntrigger rule: ${t.triggerRule}`}</title>
            <rect width=${NODE_W} height=${NODE_H} rx="5" fill=${stateColor(state)} stroke=${state === 'none' ? '#9a9a9a' : stateColor(state)} />
            <text x=${NODE_W / 2} y=${NODE_H / 2 + 4} text-anchor="middle" fill=${stateTextColor(state)}>${t.taskId.length > 20 ? `${t.taskId.slice(0, 19)}…` : t.taskId}</text>
          </g>`;
          return link ? html`<a key=${t.taskId} href=${link} aria-label=${label}>${body}</a>` : html`<g key=${t.taskId} aria-label=${label}>${body}</g>`;
        })}
      </svg>
    </div>
  </section>`;
}

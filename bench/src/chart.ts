/**
 * A hand-built SVG bar chart: completions/s per system, one panel per workload, linear bars scaled to the
 * fastest system of the panel. Timed-out cells are hollow (rate until the timeout).
 */
import { rateOf } from './report.js';
import type { BenchResults } from './results.js';
import { WORKLOADS } from './workloads.js';

const COLORS: Record<string, string> = {
  sluice: '#1f77b4',
  'graphile-worker-batched': '#2ca02c',
  'graphile-worker': '#98df8a',
  'pg-boss': '#d62728',
  bullmq: '#9467bd',
  'bullmq-postgres': '#c5b0d5',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders the comparison chart of a results file as SVG text. */
export function renderChart(r: BenchResults): string {
  const systems = r.systems.map((s) => s.id);
  const panelW = 520;
  const barH = 18;
  const gap = 6;
  const labelW = 190;
  const panelH = 40 + systems.length * (barH + gap);
  const width = panelW + 40;
  const height = 50 + WORKLOADS.length * (panelH + 20);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="28" font-size="16" font-weight="bold">Completions per second (median of ${r.reps}; higher is better) — ${esc(r.mode)} run ${esc(r.startedAt.slice(0, 10))}</text>`,
  ];
  WORKLOADS.forEach((w, i) => {
    const top = 50 + i * (panelH + 20);
    const cells = systems.map((s) => r.cells.find((c) => c.system === s && c.workload === w));
    const max = Math.max(1, ...cells.map((c) => rateOf(c)?.rate ?? 0).filter(Number.isFinite));
    parts.push(`<text x="20" y="${top + 14}" font-weight="bold">${esc(w)}</text>`);
    systems.forEach((s, j) => {
      const c = cells[j];
      const y = top + 26 + j * (barH + gap);
      const rated = rateOf(c);
      const v = rated?.rate;
      parts.push(`<text x="${20 + labelW - 6}" y="${y + barH - 5}" text-anchor="end">${esc(s)}</text>`);
      if (v !== undefined && Number.isFinite(v)) {
        const w2 = Math.max(1, ((panelW - labelW - 80) * v) / max);
        // A timed-out cell is drawn hollow: its rate is completions before the timeout ÷ the timeout.
        const fill = rated?.bound ? `fill="none" stroke="${COLORS[s] ?? '#888'}" stroke-dasharray="4 2"` : `fill="${COLORS[s] ?? '#888'}"`;
        parts.push(`<rect x="${20 + labelW}" y="${y}" width="${w2.toFixed(1)}" height="${barH}" ${fill}/>`);
        parts.push(`<text x="${(20 + labelW + w2 + 4).toFixed(1)}" y="${y + barH - 5}">${Math.round(v).toLocaleString('en-US')}${rated?.bound ? ' (timeout)' : ''}</text>`);
      } else {
        parts.push(`<text x="${20 + labelW + 4}" y="${y + barH - 5}" fill="#a00">${esc(c?.status ?? 'not run')}</text>`);
      }
    });
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** Markdown report: one table per workload with Sluice/peer ratios, hop latencies, pgbench, scale rows, targets. */
import type { BenchResults, CellResult } from './results.js';
import { median } from './stats.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

const TITLES: Record<WorkloadName, string> = {
  independent: '1. Independent no-op tasks',
  fanout: '2. Fan-out / fan-in 1 → N → 1',
  chain: '3. Chain',
  dags: '4. Many DAGs triggered together',
};

function fmt(v: number | undefined, digits = 0): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function cell(results: BenchResults, system: string, workload: WorkloadName): CellResult | undefined {
  return results.cells.find((c) => c.system === system && c.workload === workload);
}

function statusText(c: CellResult): string {
  if (c.status === 'unavailable') return 'unavailable';
  if (c.status === 'timeout') {
    const t = c.samples.find((s) => s.status === 'timeout');
    return t && t.status === 'timeout' ? `timeout (${t.completions} done in ${t.timeoutMs / 1000} s ≈ ${fmt((t.completions / t.timeoutMs) * 1000)}/s)` : 'timeout';
  }
  if (c.status === 'error') {
    const e = c.samples.find((s) => s.status === 'error');
    return `error${e && e.status === 'error' ? `: ${e.message.slice(0, 80)}` : ''}`;
  }
  if (c.status === 'partial') {
    const counts = new Map<string, number>();
    for (const x of c.samples) counts.set(x.status, (counts.get(x.status) ?? 0) + 1);
    return `partial (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')})`;
  }
  return c.status;
}

/**
 * A system's median completions/s; for a cell that only timed out, the upper bound completions ÷ timeout
 * (marked `bound`), since it would have needed at least the whole timeout.
 */
export function rateOf(c: CellResult | undefined): { rate: number; bound: boolean } | undefined {
  if (!c) return undefined;
  const m = c.completionsPerSec?.median;
  if (m !== undefined && Number.isFinite(m)) return { rate: m, bound: false };
  const t = c.samples.find((s) => s.status === 'timeout');
  if (t && t.status === 'timeout') return { rate: (t.completions / t.timeoutMs) * 1000, bound: true };
  return undefined;
}

/**
 * Sluice's completions/s divided by the system's. When the peer only timed out the ratio is a lower bound
 * (`atLeast`); when Sluice only timed out its rate is the one observed until the timeout (`sluicePartial`).
 */
export function ratioOf(results: BenchResults, system: string, workload: WorkloadName): { ratio: number; atLeast: boolean; sluicePartial: boolean } | undefined {
  const ours = rateOf(cell(results, 'sluice', workload));
  const theirs = rateOf(cell(results, system, workload));
  if (!ours || !theirs || (ours.bound && theirs.bound)) return undefined;
  if (theirs.rate === 0) return theirs.bound ? { ratio: Number.POSITIVE_INFINITY, atLeast: true, sluicePartial: false } : undefined;
  return { ratio: ours.rate / theirs.rate, atLeast: theirs.bound, sluicePartial: ours.bound };
}

/** Sluice's median completions/s divided by the system's, or undefined. */
export function ratioVs(results: BenchResults, system: string, workload: WorkloadName): number | undefined {
  return ratioOf(results, system, workload)?.ratio;
}

function ratioText(results: BenchResults, system: string, workload: WorkloadName): string {
  if (system === 'sluice') return '1.00×';
  const r = ratioOf(results, system, workload);
  if (!r) return '–';
  return `${r.atLeast ? '≥ ' : r.sluicePartial ? '≈ ' : ''}${fmt(r.ratio, 2)}×${r.sluicePartial ? ' (Sluice partial)' : ''}`;
}

function workloadTable(r: BenchResults, workload: WorkloadName): string[] {
  const lines = ['| system | status | completions/s (median) | spread | wall ms (median) | Sluice ÷ system | load1 |', '|---|---|---:|---:|---:|---:|---:|'];
  for (const s of r.systems) {
    const c = cell(r, s.id, workload);
    if (!c) continue;
    const ratio = ratioText(r, s.id, workload);
    const spread = c.completionsPerSec ? `${fmt(c.completionsPerSec.spread * 100, 1)} %` : '–';
    const loads = c.samples.flatMap((x) => x.load1 ?? []);
    lines.push(`| ${s.id} | ${statusText(c)} | ${fmt(c.completionsPerSec?.median)} | ${spread} | ${fmt(c.wallMs?.median)} | ${ratio} | ${fmt(median(loads), 1)} |`);
  }
  return lines;
}

function hopTable(r: BenchResults): string[] {
  const lines = ['| system | hops measured | p50 ms | p95 ms | p99 ms | max ms |', '|---|---:|---:|---:|---:|---:|'];
  for (const s of r.systems) {
    const c = cell(r, s.id, 'chain');
    if (!c) continue;
    const h = c.hops;
    lines.push(`| ${s.id}${s.id === 'sluice' ? ' (store timestamps)' : ''} | ${h?.count ?? 0} | ${fmt(h?.p50, 2)} | ${fmt(h?.p95, 2)} | ${fmt(h?.p99, 2)} | ${fmt(h?.max, 2)} |`);
    if (c.handlerHops) {
      const hh = c.handlerHops;
      lines.push(`| ${s.id} (handler → handler) | ${hh.count} | ${fmt(hh.p50, 2)} | ${fmt(hh.p95, 2)} | ${fmt(hh.p99, 2)} | ${fmt(hh.max, 2)} |`);
    }
  }
  return lines;
}

function target(name: string, measured: number | undefined, goal: number, higherIsBetter: boolean, unit = '×'): string {
  const ok = measured !== undefined && Number.isFinite(measured) && (higherIsBetter ? measured >= goal : measured <= goal);
  const m = measured === undefined || !Number.isFinite(measured) ? 'not measured' : `${fmt(measured, 2)}${unit}`;
  return `| ${name} | ${higherIsBetter ? '≥' : '≤'} ${goal}${unit} | ${m} | ${measured === undefined || !Number.isFinite(measured) ? '–' : ok ? 'met' : '**not met**'} |`;
}

function targets(r: BenchResults): string[] {
  const dagRatio = (sys: string): number | undefined => {
    const a = ratioVs(r, sys, 'fanout');
    const b = ratioVs(r, sys, 'dags');
    const c = ratioVs(r, sys, 'chain');
    const all = [a, b, c].filter((x): x is number => x !== undefined);
    return all.length ? Math.min(...all) : undefined;
  };
  const hops = cell(r, 'sluice', 'chain')?.hops;
  const ours = rateOf(cell(r, 'sluice', 'independent'))?.rate;
  const tps = r.pgbench?.tps.median;
  const big = r.scale?.bigDag;
  const files = r.scale?.dagFiles;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const history = r.scale?.history;
  const partial = rateOf(cell(r, 'sluice', 'independent'))?.bound ? ' (Sluice timed out: its partial rate)' : '';
  return [
    'A cell that timed out is rated by the completions it reached ÷ the timeout: against a peer that timed out the ratio is a lower bound (≥); when Sluice timed out, its ratio uses that partial rate (≈).',
    '',
    '| target | goal | measured | |',
    '|---|---|---:|---|',
    target(`independent vs graphile-worker (batched)${partial}`, ratioVs(r, 'graphile-worker-batched', 'independent'), 1, true),
    target(`independent vs pg-boss${partial}`, ratioVs(r, 'pg-boss', 'independent'), 5, true),
    target('DAG workloads vs pg-boss flow (worst of fan-out, chain, DAGs)', dagRatio('pg-boss'), 3, true),
    target('DAG workloads vs BullMQ flow on Redis (worst of fan-out, chain, DAGs)', dagRatio('bullmq'), 2, true),
    target('DAG workloads vs BullMQ flow on Postgres (worst of fan-out, chain, DAGs)', dagRatio('bullmq-postgres'), 2, true),
    target('chain hop p50', hops?.p50, 5, false, ' ms'),
    target('chain hop p99', hops?.p99, 25, false, ' ms'),
    target(`independent completions/s ÷ pgbench -N TPS${partial}`, ours !== undefined && tps ? ours / tps : undefined, 1.5, true),
    target(`${fmt(num(big?.tasks))}-task DAG load + validate`, num(big?.loadValidateMs), 500, false, ' ms'),
    target(`${fmt(num(big?.tasks))}-task DAG scheduler peak RSS`, num(big?.peakRssMiB), 300, false, ' MiB'),
    target(
      `scheduler iteration with ${fmt(num(history?.historicalTaskInstances))} historical task instances ÷ without (active run; "must not grow" — 1.1 is the harness's tolerance)`,
      num(history?.activeIterationRatio),
      1.1,
      false,
    ),
    target(`${fmt(num(files?.files))} DAG files load`, num(files?.loadMs) !== undefined ? (num(files?.loadMs) as number) / 1000 : undefined, 5, false, ' s'),
  ];
}

function kv(obj: Record<string, number | string> | undefined): string {
  if (!obj) return 'not run';
  return Object.entries(obj)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? fmt(v, Number.isInteger(v) ? 0 : 2) : v}`)
    .join(', ');
}

/** Renders the Markdown report of a results file. */
export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [
    `# Sluice benchmark (${r.mode})`,
    '',
    `Run ${r.startedAt} → ${r.finishedAt}. ${r.reps} repetition(s) per cell, ${r.timeoutMs / 1000} s timeout per repetition.`,
    '',
    `Machine: ${m.cpuCount} × ${m.cpuModel}, ${fmt(m.memoryMiB)} MiB, ${m.os}. Node ${m.node}. PostgreSQL ${m.postgres}` +
      ` (fsync ${m.postgresSettings.fsync ?? '?'}, synchronous_commit ${m.postgresSettings.synchronous_commit ?? '?'}, shared_buffers ${m.postgresSettings.shared_buffers ?? '?'}). Redis ${m.redis}. Load average at start ${m.loadAtStart.join(' / ')}.`,
    '',
    `Commit ${m.commit}. Versions: ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    `Sizes: ${r.sizes.independent} independent tasks; fan-out 1 → ${r.sizes.fanout} → 1; chain of ${r.sizes.chain}; ${r.sizes.dags} DAGs × ${r.sizes.dagTasks} tasks.`,
    '',
  ];
  for (const w of WORKLOADS) {
    if (!r.cells.some((c) => c.workload === w)) continue;
    out.push(`## ${TITLES[w]}`, '', ...workloadTable(r, w), '');
    if (w === 'chain') out.push('Hop latency (upstream success → downstream start):', '', ...hopTable(r), '');
  }
  out.push('## 5. PostgreSQL floor (pgbench -N)', '');
  if (r.pgbench) {
    out.push(
      r.pgbench.error
        ? `pgbench failed: ${r.pgbench.error}`
        : `\`${r.pgbench.command}\`: median ${fmt(r.pgbench.tps.median)} TPS (spread ${fmt(r.pgbench.tps.spread * 100, 1)} %). Sluice independent completions/s ÷ TPS = ${fmt((rateOf(cell(r, 'sluice', 'independent'))?.rate ?? Number.NaN) / r.pgbench.tps.median, 3)}.`,
      '',
    );
  } else out.push('not run', '');
  out.push('## Scale rows (Sluice)', '');
  if (r.scale) {
    out.push(`- Big DAG: ${kv(r.scale.bigDag)}`, `- DAG files: ${kv(r.scale.dagFiles)}`, `- History: ${kv(r.scale.history)}`, '');
  } else out.push('not run', '');
  out.push('## Targets', '', ...targets(r), '');
  out.push('## Configurations and mappings', '');
  for (const s of r.systems) {
    out.push(`- **${s.id}**: ${s.config}${s.unavailable ? ` — unavailable: ${s.unavailable}` : ''}`);
    for (const w of WORKLOADS) out.push(`  - ${w}: ${s.mapping[w]}`);
  }
  out.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

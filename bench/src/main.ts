/**
 * `pnpm bench` / `pnpm bench:smoke`: runs every system on every workload side by side on this machine and
 * this Postgres, then pgbench and the scale rows, and writes the results.
 *
 *   node bench/dist/main.js [--smoke] [--only <workload|system>[,…]] [--reps N] [--timeout-ms N] [--no-scale] [--no-pgbench]
 *   node bench/dist/main.js --render bench/results/latest.json   (re-renders latest.md and latest.svg)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dropAllBenchDatabases } from './db.js';
import { describeMachine } from './machine.js';
import { initPgbench, runPgbench } from './pgbench.js';
import { renderChart } from './chart.js';
import { renderReport } from './report.js';
import type { BenchResults, CellResult, SampleRecord } from './results.js';
import { FULL_SCALE, SMOKE_SCALE, runScale, TMP_DIR } from './scale.js';
import { latencySummary, round, summarize } from './stats.js';
import { bullmqPostgres, bullmqRedis } from './systems/bullmq.js';
import { graphileWorkerBatched, graphileWorkerDefault } from './systems/graphile-worker.js';
import { pgBossSystem } from './systems/pg-boss.js';
import { sluiceSystem } from './systems/sluice.js';
import { FULL_SIZES, SMOKE_SIZES, TimeoutError, WORKLOADS, type BenchSystem, type SampleResult, type WorkloadName, type WorkloadSizes } from './workloads.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = resolve(HERE, '..', 'results');
const SYSTEMS: BenchSystem[] = [sluiceSystem, graphileWorkerBatched, graphileWorkerDefault, pgBossSystem, bullmqRedis, bullmqPostgres];

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function summarizeCell(system: string, workload: WorkloadName, samples: SampleRecord[]): CellResult {
  const ok = samples.filter((s): s is Extract<SampleRecord, { status: 'ok' }> => s.status === 'ok');
  const cell: CellResult = { system, workload, samples, status: 'ok' };
  if (ok.length) {
    cell.completionsPerSec = summarize(ok.map((s) => s.completionsPerSec));
    cell.wallMs = summarize(ok.map((s) => s.wallMs));
  }
  if (workload === 'chain') {
    const hops = samples.flatMap((s) => (s.status === 'ok' || s.status === 'timeout' ? (s.hopsMs ?? []) : []));
    if (hops.length) cell.hops = latencySummary(hops);
    const handlerHops = ok.flatMap((s) => s.handlerHopsMs ?? []);
    if (handlerHops.length) cell.handlerHops = latencySummary(handlerHops);
  }
  const failed = samples.filter((s) => s.status !== 'ok');
  if (failed.length === 0) cell.status = 'ok';
  else if (ok.length > 0) cell.status = 'partial';
  else cell.status = samples.some((s) => s.status === 'timeout') ? 'timeout' : 'error';
  return cell;
}

/** Milliseconds rounded to the microsecond, to keep the results file readable. */
function micro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function roundedHops(r: SampleResult): Partial<SampleResult> {
  return {
    ...(r.hopsMs ? { hopsMs: r.hopsMs.map(micro) } : {}),
    ...(r.handlerHopsMs ? { handlerHopsMs: r.handlerHopsMs.map(micro) } : {}),
  };
}

/** Runs one repetition with its own deadline; a timeout or error becomes a record, never a throw. */
async function runRepetition(system: BenchSystem, workload: WorkloadName, rep: number, earlier: SampleRecord[], sizes: WorkloadSizes, timeoutMs: number): Promise<SampleRecord> {
  if (earlier.some((s) => s.status === 'timeout')) return { status: 'skipped', rep, reason: 'an earlier repetition timed out' };
  const deadline = performance.now() + timeoutMs;
  const loadBefore = loadavg()[0] as number;
  const load1 = (): [number, number] => [round(loadBefore), round(loadavg()[0] as number)];
  try {
    const r = await system.runSample(workload, sizes, deadline);
    log(`${workload} ${system.id} rep ${rep}: ${r.completions} in ${r.wallMs.toFixed(0)} ms = ${r.completionsPerSec.toFixed(0)}/s (load ${load1().join(' → ')})`);
    return { status: 'ok', rep, load1: load1(), ...r, ...roundedHops(r) };
  } catch (error) {
    if (error instanceof TimeoutError) {
      log(`${workload} ${system.id} rep ${rep}: TIMEOUT after ${timeoutMs} ms (${error.completions} completions)`);
      return { status: 'timeout', rep, load1: load1(), completions: error.completions, timeoutMs, ...(error.hopsMs.length ? { hopsMs: error.hopsMs.map(micro) } : {}) };
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log(`${workload} ${system.id} rep ${rep}: ERROR ${message}`);
    return { status: 'error', rep, load1: load1(), message };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'no-scale': { type: 'boolean', default: false },
      'no-pgbench': { type: 'boolean', default: false },
      render: { type: 'string' },
    },
  });
  if (values.render) {
    // Re-renders the Markdown report and the chart of an existing results file, next to it.
    const file = resolve(values.render);
    const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
    const stem = file.replace(/\.json$/, '');
    await writeFile(`${stem}.md`, renderReport(results));
    await writeFile(`${stem}.svg`, renderChart(results));
    log(`wrote ${stem}.{md,svg}`);
    return;
  }
  const smoke = values.smoke === true;
  const sizes = smoke ? SMOKE_SIZES : FULL_SIZES;
  const reps = Number(values.reps ?? (smoke ? 1 : 3));
  const timeoutMs = Number(values['timeout-ms'] ?? (smoke ? 20_000 : 180_000));
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : undefined;
  const workloads = WORKLOADS.filter((w) => !only || only.includes(w) || !only.some((o) => (WORKLOADS as readonly string[]).includes(o)));
  const systems = SYSTEMS.filter((s) => !only || only.includes(s.id) || !only.some((o) => SYSTEMS.some((x) => x.id === o)));
  const startedAt = new Date().toISOString();
  log(`mode ${smoke ? 'smoke' : 'full'}, reps ${reps}, timeout ${timeoutMs} ms, systems ${systems.map((s) => s.id).join(', ')}, workloads ${workloads.join(', ')}`);

  const machine = await describeMachine();
  log(`node ${machine.node}, postgres ${machine.postgres}, fsync ${machine.postgresSettings.fsync}, synchronous_commit ${machine.postgresSettings.synchronous_commit}`);
  const unavailable = new Map<string, string>();
  for (const s of systems) {
    const reason = await s.unavailableReason();
    if (reason) {
      unavailable.set(s.id, reason);
      log(`${s.id} unavailable: ${reason}`);
    }
  }

  // Repetitions are interleaved (rep 1 of every system, then rep 2, …) so slow drifts in machine load are
  // shared rather than landing on one system.
  const cells: CellResult[] = [];
  for (const workload of workloads) {
    const byId = new Map<string, SampleRecord[]>(systems.map((s) => [s.id, []]));
    for (let rep = 1; rep <= reps; rep++) {
      for (const system of systems) {
        if (unavailable.has(system.id)) continue;
        const samples = byId.get(system.id) as SampleRecord[];
        samples.push(await runRepetition(system, workload, rep, samples, sizes, timeoutMs));
      }
    }
    for (const system of systems) {
      cells.push(
        unavailable.has(system.id)
          ? { system: system.id, workload, samples: [], status: 'unavailable' }
          : summarizeCell(system.id, workload, byId.get(system.id) as SampleRecord[]),
      );
    }
  }

  const notes: string[] = [
    'Completions/s = handler executions / wall time, from just before the first enqueue/trigger to the moment the system reports everything done (Sluice: every run success; graphile-worker: no job row left; pg-boss: no job below completed; BullMQ: no active/waiting/delayed/waiting-children job).',
    'Sluice chain hop = downstream attempt started_at − upstream attempt ended_at (store timestamps, transaction times); the in-process handler-to-handler hop is reported alongside. Peers: handler entry − previous handler return (in-process clock).',
    'BullMQ 6.7 has a PostgreSQL backend (createPostgresBackend); it is measured as bullmq-postgres.',
    'A timed-out repetition records the completions reached; later repetitions of that cell are skipped.',
    'The machine may be shared with other work: every sample records the 1-minute load average before and after it (load1), and the report shows the median per cell. Compare cells measured under similar load.',
  ];
  const results: BenchResults = {
    mode: smoke ? 'smoke' : 'full',
    startedAt,
    finishedAt: '',
    machine,
    sizes,
    reps,
    timeoutMs,
    systems: systems.map((s) => ({ id: s.id, config: s.config, mapping: s.mapping, ...(unavailable.has(s.id) ? { unavailable: unavailable.get(s.id) as string } : {}) })),
    cells,
    notes,
  };

  if (!values['no-pgbench'] && !only) {
    const o = smoke ? { scale: 1, clients: 8, threads: 2, seconds: 2 } : { scale: 10, clients: 8, threads: 2, seconds: 10 };
    try {
      await initPgbench(o.scale);
      const tps: number[] = [];
      let command = '';
      for (let rep = 1; rep <= reps; rep++) {
        const r = await runPgbench(o);
        tps.push(r.tps);
        command = r.command;
        log(`pgbench rep ${rep}: ${r.tps.toFixed(0)} TPS`);
      }
      results.pgbench = { command: `${command} (initialised with -s ${o.scale})`, samples: tps, tps: summarize(tps) };
    } catch (error) {
      results.pgbench = { command: '', samples: [], tps: summarize([]), error: (error as Error).message };
      log(`pgbench failed: ${(error as Error).message}`);
    }
  }

  if (!values['no-scale'] && !only) {
    results.scale = await runScale(smoke ? SMOKE_SCALE : FULL_SCALE, join(HERE, 'scale-child.js'), log);
  }

  results.finishedAt = new Date().toISOString();
  // Only a complete full run replaces the committed results; smoke and --only runs go to the ignored tmp/.
  const dir = smoke || only ? TMP_DIR : RESULTS_DIR;
  const base = smoke ? 'smoke' : only ? 'partial' : 'latest';
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(dir, `${base}.md`), renderReport(results));
  await writeFile(join(dir, `${base}.svg`), renderChart(results));
  log(`wrote ${join(dir, `${base}.{json,md,svg}`)}`);

  const dropped = await dropAllBenchDatabases();
  log(`dropped ${dropped.length} benchmark database(s)`);

  const failures = cells.filter((c) => c.status !== 'ok' && c.status !== 'unavailable');
  if (smoke && failures.length) {
    log(`smoke FAILED: ${failures.map((c) => `${c.system}/${c.workload}=${c.status}`).join(', ')}`);
    process.exitCode = 1;
  }
}

main()
  .catch((error: unknown) => {
    log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    // Some clients (pg-boss timers, ioredis reconnects) keep the loop alive after close; the results are written.
    setTimeout(() => process.exit(), 500).unref();
  });

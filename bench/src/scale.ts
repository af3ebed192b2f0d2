/**
 * Scale rows, each measured in a child process of its own so its memory is its own:
 * a 10,000-task DAG (load + validate, full run, peak RSS), 1,000 DAG files loaded with DagFolder (time,
 * memory), and the scheduler's per-iteration time with and without 1,000,000 historical task instances.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chain, dag, DagFolder, hashDagStructure, triggerDagRun, type Dag, type Database, type TaskRef } from '@sluice/core';
import { freshStore, makeScheduler } from './systems/sluice.js';
import { median, round } from './stats.js';

const execFileAsync = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
/** Git-ignored scratch folder under bench/ (so generated DAG files resolve `@sluice/core`). */
export const TMP_DIR = resolve(HERE, '..', 'results', 'tmp');

/** Sizes of the scale rows. */
export interface ScaleSizes {
  /** Parallel chains × chain length of the big DAG. */
  bigDagChains: number;
  bigDagLength: number;
  dagFiles: number;
  tasksPerFile: number;
  /** Historical runs × tasks per run. */
  historyRuns: number;
  historyTasks: number;
  timeoutMs: number;
}

export const FULL_SCALE: ScaleSizes = { bigDagChains: 100, bigDagLength: 100, dagFiles: 1000, tasksPerFile: 10, historyRuns: 100_000, historyTasks: 10, timeoutMs: 300_000 };
export const SMOKE_SCALE: ScaleSizes = { bigDagChains: 5, bigDagLength: 10, dagFiles: 10, tasksPerFile: 5, historyRuns: 200, historyTasks: 10, timeoutMs: 30_000 };

/** Results of the scale rows (each may carry an error instead). */
export interface ScaleResults {
  sizes: ScaleSizes;
  bigDag?: Record<string, number | string>;
  dagFiles?: Record<string, number | string>;
  history?: Record<string, number | string>;
}

const MiB = 1024 * 1024;

function rssMiB(): number {
  return process.memoryUsage.rss() / MiB;
}

/** Samples RSS every 50 ms; stop() returns the peak seen (MiB). */
function rssSampler(): { stop(): number } {
  let peak = rssMiB();
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB());
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB());
    },
  };
}

async function runState(db: Database, runPk: number): Promise<string> {
  const res = (await db.knex.raw('SELECT state FROM sluice_dag_runs WHERE id = ?', [runPk])) as { rows: { state: string }[] };
  return res.rows[0]?.state ?? 'missing';
}

function buildBigDag(s: ScaleSizes): Dag<unknown> {
  const d = dag({ id: 'bench_big', maxActiveTasks: 128 });
  for (let c = 0; c < s.bigDagChains; c++) {
    const refs: TaskRef[] = [];
    for (let i = 0; i < s.bigDagLength; i++) refs.push(d.task(`c${c}_t${i}`, async () => undefined));
    chain(...refs);
  }
  return d as Dag<unknown>;
}

/** Child: the 10,000-task DAG. */
async function bigDagChild(s: ScaleSizes): Promise<Record<string, number | string>> {
  const baseline = rssMiB();
  const t0 = performance.now();
  const big = buildBigDag(s);
  const t1 = performance.now();
  const structure = big.structure();
  hashDagStructure(structure);
  const t2 = performance.now();
  const db = await freshStore('sluice_bench_scale');
  const scheduler = makeScheduler(db, [big]);
  const sampler = rssSampler();
  try {
    scheduler.start();
    const r0 = performance.now();
    const run = await triggerDagRun(db.knex, big, {}, new Date());
    scheduler.wake();
    let state = 'running';
    while (state !== 'success' && state !== 'failed' && performance.now() - r0 < s.timeoutMs) {
      await new Promise((r) => setTimeout(r, 50));
      state = await runState(db, run.pk);
    }
    const runMs = performance.now() - r0;
    return {
      tasks: s.bigDagChains * s.bigDagLength,
      shape: `${s.bigDagChains} parallel chains of ${s.bigDagLength}`,
      buildMs: round(t1 - t0),
      validateMs: round(t2 - t1),
      loadValidateMs: round(t2 - t0),
      runState: state,
      runMs: state === 'success' || state === 'failed' ? round(runMs) : `timeout after ${s.timeoutMs} ms`,
      baselineRssMiB: round(baseline),
      peakRssMiB: round(sampler.stop()),
      maxRssMiB: round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    sampler.stop();
    await scheduler.stop(2_000);
    await db.close();
  }
}

/** Child: load N generated DAG files with DagFolder. */
async function dagFilesChild(s: ScaleSizes): Promise<Record<string, number | string>> {
  const dir = join(TMP_DIR, 'dag-files');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (let f = 0; f < s.dagFiles; f++) {
    const id = `file_dag_${String(f).padStart(4, '0')}`;
    const tasks = Array.from({ length: s.tasksPerFile }, (_, i) => `const t${i} = d.task('t${i}', async () => ${i});`).join('\n');
    const refs = Array.from({ length: s.tasksPerFile }, (_, i) => `t${i}`).join(', ');
    await writeFile(join(dir, `${id}.js`), `import { chain, dag } from '@sluice/core';\nconst d = dag({ id: '${id}', schedule: '@daily', start: '2026-01-01' });\n${tasks}\nchain(${refs});\nexport default d;\n`);
  }
  // Import @sluice/core first so the measurement is the DAG files, not the library.
  const baseline = rssMiB();
  const heapBefore = process.memoryUsage().heapUsed / MiB;
  const folder = new DagFolder({ dir });
  const t0 = performance.now();
  await folder.scan();
  const loadMs = performance.now() - t0;
  const loaded = folder.list().length;
  const structures0 = performance.now();
  for (const d of folder.list()) d.structure();
  const structuresMs = performance.now() - structures0;
  return {
    files: s.dagFiles,
    tasksPerFile: s.tasksPerFile,
    loaded,
    importErrors: folder.importErrors().size,
    loadMs: round(loadMs),
    structuresMs: round(structuresMs),
    rssBeforeMiB: round(baseline),
    rssAfterMiB: round(rssMiB()),
    heapGrowthMiB: round(process.memoryUsage().heapUsed / MiB - heapBefore),
  };
}

/** Times runOnce(): idle iterations, then the iterations of one small active run. */
async function iterationTimes(db: Database, d: Dag<unknown>, logicalDate: Date): Promise<{ idleMs: number; activeMs: number; activeIterations: number }> {
  const scheduler = makeScheduler(db, [d]);
  try {
    await scheduler.runOnce(); // sync DAGs
    const idle: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await scheduler.runOnce();
      idle.push(performance.now() - t);
    }
    const run = await triggerDagRun(db.knex, d, {}, logicalDate);
    const active: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await scheduler.runOnce();
      active.push(performance.now() - t);
      await scheduler.executor?.idle();
      const state = await runState(db, run.pk);
      if (state === 'success' || state === 'failed') break;
    }
    return { idleMs: median(idle), activeMs: median(active), activeIterations: active.length };
  } finally {
    await scheduler.stop(2_000);
  }
}

/** Child: scheduler iteration time with and without a large history. */
async function historyChild(s: ScaleSizes): Promise<Record<string, number | string>> {
  const db = await freshStore('sluice_bench_history');
  try {
    const d = dag({ id: 'bench_history', maxActiveTasks: 128 });
    const refs: TaskRef[] = Array.from({ length: s.historyTasks }, (_, i) => d.task(`t${i}`, async () => undefined));
    chain(...refs);
    const before = await iterationTimes(db, d as Dag<unknown>, new Date('2030-01-01T00:00:00Z'));
    const hash = hashDagStructure(d.structure());
    const i0 = performance.now();
    await db.knex.raw(
      `INSERT INTO sluice_dag_runs (run_id, dag_id, logical_date, data_interval_start, data_interval_end, run_type, state, version_hash, created_at, started_at, ended_at)
       SELECT 'hist_' || g, 'bench_history', ts, ts, ts + interval '1 minute', 'scheduled', 'success', ?, ts, ts, ts + interval '30 seconds'
         FROM generate_series(1, ?::int) g, LATERAL (SELECT timestamptz '2020-01-01' + g * interval '1 minute' AS ts) t`,
      [hash, s.historyRuns],
    );
    await db.knex.raw(
      `INSERT INTO sluice_task_instances (run_pk, task_id, map_index, dag_id, state, try_number, max_tries, queued_at, started_at, ended_at, updated_at)
       SELECT r.id, 't' || t, -1, r.dag_id, 'success', 1, 1, r.started_at, r.started_at, r.ended_at, r.ended_at
         FROM sluice_dag_runs r CROSS JOIN generate_series(0, ?::int - 1) t WHERE r.run_id LIKE 'hist\\_%'`,
      [s.historyTasks],
    );
    await db.knex.raw(
      `INSERT INTO sluice_attempts (attempt_id, run_pk, task_id, map_index, try_number, state, started_at, ended_at)
       SELECT gen_random_uuid(), run_pk, task_id, map_index, 1, 'success', started_at, ended_at FROM sluice_task_instances WHERE state = 'success'`,
    );
    await db.knex.raw('ANALYZE');
    const insertMs = performance.now() - i0;
    const counted = (await db.knex.raw('SELECT count(*)::int AS n FROM sluice_task_instances')) as { rows: { n: number }[] };
    const after = await iterationTimes(db, d as Dag<unknown>, new Date('2030-01-02T00:00:00Z'));
    return {
      historicalTaskInstances: counted.rows[0]?.n ?? 0,
      historicalRuns: s.historyRuns,
      insertMs: round(insertMs),
      idleIterationMsBefore: round(before.idleMs, 3),
      idleIterationMsAfter: round(after.idleMs, 3),
      activeIterationMsBefore: round(before.activeMs, 3),
      activeIterationMsAfter: round(after.activeMs, 3),
      activeIterationRatio: round(after.activeMs / before.activeMs, 3),
      idleIterationRatio: round(after.idleMs / before.idleMs, 3),
    };
  } finally {
    await db.close();
  }
}

/** The child-process entry: runs one scale row and prints its JSON on the last stdout line. */
export async function runScaleChild(kind: string, sizes: ScaleSizes): Promise<void> {
  const fn = kind === 'big-dag' ? bigDagChild : kind === 'dag-files' ? dagFilesChild : kind === 'history' ? historyChild : undefined;
  if (!fn) throw new Error(`unknown scale row ${kind}`);
  const result = await fn(sizes);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

/** Runs every scale row, each in a fresh Node process. */
export async function runScale(sizes: ScaleSizes, childScript: string, log: (line: string) => void): Promise<ScaleResults> {
  const out: ScaleResults = { sizes };
  for (const [kind, key] of [
    ['big-dag', 'bigDag'],
    ['dag-files', 'dagFiles'],
    ['history', 'history'],
  ] as const) {
    log(`scale ${kind} …`);
    try {
      const { stdout } = await execFileAsync(process.execPath, [childScript, kind, JSON.stringify(sizes)], {
        timeout: sizes.timeoutMs + 120_000,
        maxBuffer: 64 * MiB,
      });
      const last = stdout.trim().split('\n').pop() ?? '{}';
      out[key] = JSON.parse(last) as Record<string, number | string>;
      log(`scale ${kind}: ${last}`);
    } catch (error) {
      out[key] = { error: (error as Error).message.slice(0, 500) };
      log(`scale ${kind} failed: ${(error as Error).message.slice(0, 300)}`);
    }
  }
  return out;
}

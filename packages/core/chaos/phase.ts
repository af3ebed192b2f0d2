/**
 * One chaos phase: a fresh database on the throwaway cluster, schedulers and workers running the chaos DAG
 * over a window of 1 s intervals, a loop that `kill -9`s random processes (and starts replacements), Postgres
 * restarts at set points of progress, then the figures from {@link collectFigures}.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, openDatabase } from '@sluice/core';
import type { Cluster } from './cluster.js';
import { cliHasWorkerCommand, ProcessGroup, type ChaosProcess, type ProcessKind } from './processes.js';
import { collectFigures, LEDGER_DDL, type Disruption, type PhaseFigures } from './report.js';

const DAGS_DIR = fileURLToPath(new URL('./dags', import.meta.url));

/** How to run a phase. */
export interface PhaseOptions {
  name: string;
  runs: number;
  kills: number;
  /** Milliseconds between kills. */
  killEveryMs: number;
  restarts: number;
  schedulers: number;
  workers: number;
  /** Attempts at once per worker. */
  concurrency: number;
  /** Clock skew of the skewed processes (±); 0 for none. */
  skewMs: number;
  /** Give up waiting for runs after this long. */
  deadlineMs: number;
  taskSleepMs: number;
  /** The DAG's maxActiveRuns: a killed worker's runs wait for the heartbeat timeout and hold their slot. */
  maxActiveRuns: number;
  /** URL the Sluice processes use for the store (direct, or through PgBouncer) for a database name. */
  storeUrl: (database: string) => string;
  /** Where process logs go. */
  outDir: string;
  log: (line: string) => void;
}

/** The figures of a phase plus what the harness did. */
export interface PhaseResult extends PhaseFigures {
  durationS: number;
  kills: { workers: number; schedulers: number };
  postgresRestarts: number;
  processes: { schedulers: number; workers: number; workerCommand: boolean; skewMs: number[] };
  storeVia: string;
  prematureTimeouts: number;
  /** Every kill (pid) and restart, in order. */
  disruptions: { kind: Disruption['kind']; pid?: number; at: string }[];
}

const SKEWS = [1, -1, 0, 0.5];
const MIN_AGE_BEFORE_KILL_MS = 10_000;
const POOL_SLOTS = 1024;

/** Runs one phase on `cluster` and returns its figures. */
export async function runPhase(cluster: Cluster, o: PhaseOptions): Promise<PhaseResult> {
  const database = `chaos_${o.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const directUrl = cluster.url(database);
  const monitor = new pg.Pool({ connectionString: directUrl, max: 2 });
  monitor.on('error', () => undefined);
  await monitor.query(LEDGER_DDL);
  // Migrate first, then give the default pool room for a killed worker's attempts (running until timed out).
  const store = await openDatabase({ url: directUrl, poolMax: 1 });
  try {
    await migrate(store);
    await store.knex.raw(`UPDATE sluice_pools SET slots = ? WHERE name = 'default_pool'`, [POOL_SLOTS]);
  } finally {
    await store.close();
  }

  const logDir = join(o.outDir, o.name);
  await mkdir(logDir, { recursive: true });
  const workerCommand = cliHasWorkerCommand();
  // The window: 1 s intervals; all but the last ~15 are already due, the rest fall due while the phase runs.
  const tail = Math.min(15, Math.floor(o.runs / 4));
  const startMs = Math.floor(Date.now() / 1000) * 1000 - (o.runs - tail) * 1000;
  const start = new Date(startMs);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLUICE_DATABASE_URL: o.storeUrl(database),
    SLUICE_DATABASE_LISTEN_URL: directUrl,
    SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn',
    CHAOS_LEDGER_URL: directUrl,
    CHAOS_START: start.toISOString(),
    CHAOS_END: new Date(startMs + (o.runs - 1) * 1000).toISOString(),
    CHAOS_TASK_SLEEP_MS: String(o.taskSleepMs),
    CHAOS_MAX_ACTIVE_RUNS: String(o.maxActiveRuns),
    CHAOS_MAX_ACTIVE_TASKS: String(POOL_SLOTS),
  };
  const group = new ProcessGroup(logDir);
  const skewFor = (i: number): number => Math.round((SKEWS[i % SKEWS.length] ?? 0) * o.skewMs);
  const spawnProcess = (kind: ProcessKind, skewMs: number): ChaosProcess =>
    group.start({
      kind,
      name: kind,
      dagsDir: DAGS_DIR,
      concurrency: kind === 'worker' || !workerCommand ? o.concurrency : 0,
      env,
      skewMs,
      workerCommand,
    });
  const began = Date.now();
  for (let i = 0; i < o.schedulers; i++) spawnProcess('scheduler', skewFor(i));
  for (let i = 0; i < o.workers; i++) spawnProcess('worker', skewFor(i + 1));
  o.log(
    `[${o.name}] ${o.runs} runs, ${o.schedulers} ${workerCommand ? 'schedulers (--concurrency 0)' : 'schedulers'} + ${o.workers} ${workerCommand ? 'workers' : 'schedulers standing in for workers'}, skew ±${o.skewMs} ms, store ${o.storeUrl(database).replace(/\/\/[^@]*@/, '//')}`,
  );

  const disruptions: Disruption[] = [];
  const kills = { workers: 0, schedulers: 0 };
  let restarts = 0;
  let finished = 0;
  let fraction = 0;
  let lastKill = Date.now();
  let lastProgress = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = Date.now();
    ({ runs: finished, fraction } = await progress(monitor, o.runs).catch(() => ({ runs: finished, fraction })));
    if (finished >= o.runs || now - began > o.deadlineMs) break;
    // Kill only once tasks flow, and only processes up for a while (a replacement must get to work first).
    if (kills.workers + kills.schedulers < o.kills && fraction > 0 && now - lastKill >= o.killEveryMs) {
      const pickScheduler = Math.random() < 0.15;
      const eligible = group.live(pickScheduler ? 'scheduler' : 'worker').filter((p) => now - p.startedAt >= MIN_AGE_BEFORE_KILL_MS);
      const victim = eligible[Math.floor(Math.random() * eligible.length)];
      if (victim) {
        lastKill = now;
        disruptions.push({ kind: 'kill', pid: victim.pid, at: Date.now() });
        await group.kill9(victim);
        if (victim.kind === 'scheduler') kills.schedulers++;
        else kills.workers++;
        spawnProcess(victim.kind, victim.skewMs);
      }
    }
    if (restarts < o.restarts && fraction >= (restarts + 1) / (o.restarts + 1)) {
      o.log(`[${o.name}] pg_ctl restart -m fast at ${Math.round(fraction * 100)}% of the task instances done (${finished}/${o.runs} runs)`);
      disruptions.push({ kind: 'restart', at: Date.now() });
      await cluster.restart();
      restarts++;
    }
    // A process that died on its own (not killed by us) is replaced too, and reported.
    for (const p of group.processes) {
      if (p.exit && p.exit.signal !== 'SIGKILL' && !('replaced' in p)) {
        Object.assign(p, { replaced: true });
        o.log(`[${o.name}] ${p.name} exited by itself (code ${p.exit.code}); starting a replacement`);
        spawnProcess(p.kind, p.skewMs);
      }
    }
    if (now - lastProgress > 10_000) {
      lastProgress = now;
      o.log(`[${o.name}] ${Math.round((now - began) / 1000)}s: ${finished}/${o.runs} runs finished (${Math.round(fraction * 100)}% of tasks), kills ${kills.workers}+${kills.schedulers}, restarts ${restarts}`);
    }
  }
  const durationS = Math.round((Date.now() - began) / 100) / 10;
  o.log(`[${o.name}] ${finished}/${o.runs} runs finished after ${durationS}s; stopping processes`);
  await group.stopAll();
  await monitor.end();

  const figures = await collectFigures(directUrl, o.name, { start, runs: o.runs }, disruptions);
  const prematureTimeouts = await countPrematureTimeouts(directUrl, disruptions, figures.examples);
  const exitedByThemselves = group.processes.filter((p) => 'replaced' in p).map((p) => p.name);
  if (exitedByThemselves.length > 0) figures.examples['exitedByThemselves'] = exitedByThemselves;
  return {
    ...figures,
    durationS,
    kills,
    postgresRestarts: restarts,
    processes: { schedulers: o.schedulers, workers: o.workers, workerCommand, skewMs: [...new Set(group.processes.map((p) => p.skewMs))].sort((a, b) => a - b) },
    storeVia: o.storeUrl(database) === directUrl ? 'direct' : 'pgbouncer (transaction mode)',
    prematureTimeouts,
    disruptions: disruptions.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
  };
}

/** Average task instances per chaos run: 12 tasks, the mapped task's placeholder, 2–4 mapped instances. */
const TASK_INSTANCES_PER_RUN = 16;

/** Finished runs, and finished task instances as a fraction of all the phase will have. */
async function progress(pool: pg.Pool, runs: number): Promise<{ runs: number; fraction: number }> {
  const { rows } = await pool.query<{ runs: string; tis: string }>(
    `SELECT (SELECT count(*) FROM sluice_dag_runs WHERE dag_id = 'chaos_mixed' AND state IN ('success', 'failed')) AS runs,
            (SELECT count(*) FROM sluice_task_instances WHERE dag_id = 'chaos_mixed'
               AND state IN ('success', 'failed', 'skipped', 'upstream_failed', 'removed')) AS tis`,
  );
  const done = Number(rows[0]?.runs ?? 0);
  return { runs: done, fraction: Math.max(done / runs, Math.min(1, Number(rows[0]?.tis ?? 0) / (runs * TASK_INSTANCES_PER_RUN))) };
}

/**
 * Attempts failed as lost (no heartbeat) although their process was neither killed nor cut off by a
 * restart: with a skewed clock, a timeout evaluated in local time would fire early and show up here.
 */
async function countPrematureTimeouts(url: string, disruptions: readonly Disruption[], examples: Record<string, unknown[]>): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ worker: string | null; started_at: Date; ended_at: Date | null; task_id: string; try_number: number }>(
      `SELECT a.worker, a.started_at, a.ended_at, a.task_id, a.try_number FROM sluice_attempts a WHERE a.error LIKE 'attempt lost%'`,
    );
    const killed = new Set(disruptions.filter((d) => d.kind === 'kill').map((d) => d.pid));
    const restarts = disruptions.filter((d) => d.kind === 'restart').map((d) => d.at);
    let premature = 0;
    for (const r of rows) {
      const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(r.worker ?? '')?.[1]);
      const cutByRestart = restarts.some((t) => t >= r.started_at.getTime() - 1000 && (!r.ended_at || t <= r.ended_at.getTime()));
      if (!killed.has(pid) && !cutByRestart) {
        premature++;
        const list = (examples['prematureTimeouts'] ??= []);
        if (list.length < 20) list.push(r);
      }
    }
    return premature;
  } finally {
    await client.end();
  }
}

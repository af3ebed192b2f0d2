/**
 * The chaos suite (`pnpm test:chaos`, `pnpm test:chaos:smoke`). Starts a throwaway Postgres, runs the chaos
 * DAG with real `sluice scheduler` / `sluice worker` processes while killing them with SIGKILL and
 * restarting Postgres, then again through PgBouncer in transaction mode; writes the figures to
 * `chaos/results/<mode>.json`, prints them, and exits 1 when any check fails.
 *
 *   tsx packages/core/chaos/run.ts [--smoke] [--runs N] [--kills N] [--kill-every MS] [--restarts N]
 *     [--workers N] [--schedulers N] [--concurrency N] [--pgbouncer N | --no-pgbouncer] [--skew MS]
 *     [--sleep MS] [--max-active-runs N] [--deadline S]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from './cluster.js';
import { startPgbouncer, type Bouncer } from './pgbouncer.js';
import { runPhase, type PhaseOptions, type PhaseResult } from './phase.js';
import { killEverything } from './processes.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    kills: { type: 'string' },
    'kill-every': { type: 'string' },
    restarts: { type: 'string' },
    workers: { type: 'string', default: '4' },
    schedulers: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    pgbouncer: { type: 'string' },
    'no-pgbouncer': { type: 'boolean', default: false },
    skew: { type: 'string', default: '30000' },
    sleep: { type: 'string', default: '300' },
    'max-active-runs': { type: 'string', default: '128' },
    deadline: { type: 'string' },
  },
});

const smoke = args.smoke;
const int = (value: string | undefined, fallback: number): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got ${value}`);
  return n;
};
const settings = {
  mode: smoke ? 'smoke' : 'full',
  runs: int(args.runs, smoke ? 150 : 2000),
  kills: int(args.kills, smoke ? 10 : 110),
  killEveryMs: int(args['kill-every'], smoke ? 2500 : 7000),
  restarts: int(args.restarts, smoke ? 1 : 3),
  pgbouncerRuns: args['no-pgbouncer'] ? 0 : int(args.pgbouncer, smoke ? 60 : 200),
  workers: int(args.workers, 4),
  schedulers: int(args.schedulers, 3),
  concurrency: int(args.concurrency, 16),
  skewMs: int(args.skew, 30_000),
  taskSleepMs: int(args.sleep, 300),
  maxActiveRuns: int(args['max-active-runs'], 128),
  deadlineS: int(args.deadline, smoke ? 600 : 2700),
};

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

/** The checks: each must be zero. */
function failures(p: PhaseResult): string[] {
  const checks: [string, number][] = [
    ['runs failed unexpectedly', p.runsFailedUnexpectedly],
    ['runs lost', p.lost],
    ['duplicate runs', p.duplicateRuns],
    ['runs created before their interval ended', p.prematureRuns],
    ['task instances in a wrong state', p.taskInstancesInWrongState],
    ['task instances without exactly one successful attempt', p.successCountNotOne],
    ['successful attempts without a completed body', p.successWithoutLedgerEnd],
    ['task bodies completed twice with no kill/restart to explain it', p.ledgerDuplicates.unexplained],
    ['attempts timed out although their process was alive', p.prematureTimeouts],
  ];
  return checks.filter(([, n]) => n > 0).map(([what, n]) => `${p.phase}: ${n} ${what}`);
}

async function main(): Promise<number> {
  const outDir = join(HERE, '.out', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(outDir, { recursive: true });
  log(`chaos ${settings.mode}: logs in ${outDir}`);
  let cluster: Cluster | undefined;
  let bouncer: Bouncer | undefined;
  const phases: PhaseResult[] = [];
  const startedAt = new Date();
  const interrupt = (signal: string): void => {
    log(`${signal}: killing the Sluice processes, stopping PgBouncer and Postgres`);
    killEverything();
    void Promise.allSettled([bouncer?.stop(), cluster?.destroy()]).then(() => process.exit(130));
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));
  try {
    cluster = await startCluster();
    log(`throwaway Postgres on 127.0.0.1:${cluster.port} (${cluster.dataDir})`);
    const base: Omit<PhaseOptions, 'name' | 'runs' | 'kills' | 'restarts' | 'storeUrl'> = {
      killEveryMs: settings.killEveryMs,
      schedulers: settings.schedulers,
      workers: settings.workers,
      concurrency: settings.concurrency,
      skewMs: settings.skewMs,
      deadlineMs: settings.deadlineS * 1000,
      taskSleepMs: settings.taskSleepMs,
      maxActiveRuns: settings.maxActiveRuns,
      outDir,
      log,
    };
    const direct = cluster;
    phases.push(
      await runPhase(direct, { ...base, name: 'direct', runs: settings.runs, kills: settings.kills, restarts: settings.restarts, storeUrl: (db) => direct.url(db) }),
    );
    // The figures so far, in case the next phase does not finish.
    await mkdir(join(HERE, 'results'), { recursive: true });
    await writeFile(join(HERE, 'results', `${settings.mode === 'full' ? 'latest' : 'smoke'}.partial.json`), `${JSON.stringify({ settings, phases }, null, 2)}\n`);
    if (settings.pgbouncerRuns > 0) {
      bouncer = await startPgbouncer({ host: '127.0.0.1', port: direct.port, logFile: join(outDir, 'pgbouncer.log') });
      const via = bouncer;
      log(`pgbouncer (transaction mode) on 127.0.0.1:${via.port}`);
      const kills = Math.max(1, Math.round((settings.kills * settings.pgbouncerRuns) / settings.runs));
      phases.push(await runPhase(direct, { ...base, name: 'pgbouncer', runs: settings.pgbouncerRuns, kills, restarts: 0, storeUrl: (db) => via.url(db) }));
    }
  } finally {
    await bouncer?.stop().catch(() => undefined);
    await cluster?.destroy().catch(() => undefined);
  }

  const failed = phases.flatMap(failures);
  const sum = (f: (p: PhaseResult) => number): number => phases.reduce((a, p) => a + f(p), 0);
  const totals = {
    runs: sum((p) => p.runsCreated),
    runsSucceeded: sum((p) => p.runsByState['success'] ?? 0),
    kills: sum((p) => p.kills.workers + p.kills.schedulers),
    restarts: sum((p) => p.postgresRestarts),
    duplicates: sum((p) => p.duplicateRuns + p.ledgerDuplicates.unexplained + p.successCountNotOne),
    lost: sum((p) => p.lost),
    taskInstances: sum((p) => p.taskInstances),
  };
  const result = { mode: settings.mode, startedAt: startedAt.toISOString(), settings, totals, passed: failed.length === 0, failures: failed, phases };
  await mkdir(join(HERE, 'results'), { recursive: true });
  const file = join(HERE, 'results', settings.mode === 'full' ? 'latest.json' : 'smoke.json');
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);

  log('phase      runs  ok    failed lost dupRuns kills restarts TIs    1xSuccess≠ ledgerDup(kill/restart/unexpl) premTimeouts  s');
  for (const p of phases) {
    const d = p.ledgerDuplicates;
    log(
      `${p.phase.padEnd(10)} ${String(p.runsCreated).padEnd(5)} ${String(p.runsByState['success'] ?? 0).padEnd(5)} ${String(p.runsFailedUnexpectedly).padEnd(6)} ${String(p.lost).padEnd(4)} ${String(p.duplicateRuns).padEnd(7)} ${String(p.kills.workers + p.kills.schedulers).padEnd(5)} ${String(p.postgresRestarts).padEnd(8)} ${String(p.taskInstances).padEnd(6)} ${String(p.successCountNotOne).padEnd(10)} ${`${d.total} (${d.explainedByKill}/${d.explainedByRestart}/${d.unexplained})`.padEnd(32)} ${String(p.prematureTimeouts).padEnd(13)} ${p.durationS}`,
    );
  }
  process.stdout.write(`${JSON.stringify(totals)}\n`);
  log(`figures written to ${file}`);
  if (failed.length > 0) {
    for (const f of failed) log(`FAILED ${f}`);
    return 1;
  }
  log('chaos suite passed');
  return 0;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`chaos suite error: ${(error as Error).stack ?? String(error)}\n`);
  return 1;
});

/** The Postgres floor: `pgbench -N` (simple-update, no branch/teller updates) on the same server. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { recreateDatabase, PG_BASE_URL } from './db.js';

const run = promisify(execFile);
const DB_NAME = 'sluice_bench_pgbench';
const PGBENCH = process.env.BENCH_PGBENCH ?? '/usr/bin/pgbench';

/** Options of one pgbench measurement. */
export interface PgbenchOptions {
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
}

/** One pgbench run's result. */
export interface PgbenchSample {
  tps: number;
  command: string;
}

function connectionArgs(): string[] {
  const u = new URL(PG_BASE_URL);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
}

/** Initialises the pgbench tables once (fresh database). */
export async function initPgbench(scale: number): Promise<void> {
  await recreateDatabase(DB_NAME);
  await run(PGBENCH, ['-i', '-q', '-s', String(scale), ...connectionArgs(), DB_NAME], { env: { ...process.env, PGPASSWORD: decodeURIComponent(new URL(PG_BASE_URL).password) } });
}

/** Runs `pgbench -N` once and parses its TPS. */
export async function runPgbench(o: PgbenchOptions): Promise<PgbenchSample> {
  const args = ['-N', '-n', '-c', String(o.clients), '-j', String(o.threads), '-T', String(o.seconds), ...connectionArgs(), DB_NAME];
  const { stdout } = await run(PGBENCH, args, { env: { ...process.env, PGPASSWORD: decodeURIComponent(new URL(PG_BASE_URL).password) } });
  const match = /tps = ([0-9.]+)/.exec(stdout);
  if (!match) throw new Error(`could not read TPS from pgbench output:\n${stdout}`);
  return { tps: Number(match[1]), command: `pgbench ${args.join(' ')}` };
}

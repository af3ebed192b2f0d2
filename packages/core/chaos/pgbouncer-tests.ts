/**
 * `pnpm test:pgbouncer`: the core store and engine tests with every connection going through PgBouncer in
 * transaction mode. Starts a throwaway Postgres and a PgBouncer in front of it, then runs vitest with
 * SLUICE_TEST_DATABASE_URL pointing at PgBouncer (test-support creates its template and per-file databases
 * through it). Extra arguments replace the default test paths.
 *
 * PgBouncer closes idle server connections after 1 s (`server_idle_timeout = 1`): the template database is
 * migrated through the pooler, and `CREATE DATABASE ... TEMPLATE` (which waits up to 5 s) needs no
 * connection left on it.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from './cluster.js';
import { startPgbouncer } from './pgbouncer.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const DEFAULT_PATHS = ['packages/core/test/store', 'packages/core/test/engine'];

async function main(): Promise<number> {
  const outDir = join(fileURLToPath(new URL('.', import.meta.url)), '.out');
  await mkdir(outDir, { recursive: true });
  const cluster = await startCluster();
  try {
    const bouncer = await startPgbouncer({
      host: '127.0.0.1',
      port: cluster.port,
      logFile: join(outDir, 'pgbouncer-tests.log'),
      settings: ['server_idle_timeout = 1'],
    });
    try {
      const adminUrl = bouncer.url('postgres');
      process.stdout.write(`[pgbouncer tests] Postgres 127.0.0.1:${cluster.port}, PgBouncer (transaction mode) ${adminUrl}\n`);
      const paths = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_PATHS;
      const child = spawn(process.execPath, [VITEST, 'run', ...paths], {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, SLUICE_TEST_DATABASE_URL: adminUrl, SLUICE_TEST_BACKENDS: 'postgres' },
      });
      return await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
    } finally {
      await bouncer.stop();
    }
  } finally {
    await cluster.destroy();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`pgbouncer tests: ${(error as Error).stack ?? String(error)}\n`);
  return 1;
});

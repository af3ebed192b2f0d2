import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { rowsOf } from '../../src/store/rows.js';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { makeScheduler } from '../engine/harness.js';
import { countRuns, makeWorker, until } from './harness.js';

const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find((p) => spawnSync(p, ['--version']).status === 0);
const isRoot = process.getuid?.() === 0;
const canRun = PGBOUNCER !== undefined && (!isRoot || spawnSync('id', ['-u', 'postgres']).status === 0);

/** PgBouncer in transaction pooling mode in front of the test server, with few server connections. */
async function startPgBouncer(target: URL): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-pgbouncer-'));
  await chmod(dir, 0o777);
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const password = target.password ? ` password=${decodeURIComponent(target.password)}` : '';
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432} user=${decodeURIComponent(target.username)}${password}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'auth_type = any',
      'pool_mode = transaction',
      'unix_socket_dir =',
      'default_pool_size = 3',
      'max_client_conn = 200',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(PGBOUNCER as string, [...(isRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Never skipped silently: without pgbouncer (Debian package, installed by scripts/ensure-system-packages.sh)
// this file fails and says what to install.
it.runIf(!canRun)('needs pgbouncer', () => {
  expect.fail('pgbouncer is not installed (Debian: apt-get install pgbouncer, which also creates the postgres user it runs as under root)');
});

describe.runIf(canRun)('distributed: behind PgBouncer in transaction pooling mode', () => {
  let test: TestDatabase;
  let bouncer: Awaited<ReturnType<typeof startPgBouncer>>;
  let pooledUrl: string;
  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    const direct = new URL(test.url as string);
    bouncer = await startPgBouncer(direct);
    const pooled = new URL(direct.toString());
    pooled.hostname = '127.0.0.1';
    pooled.port = String(bouncer.port);
    pooledUrl = pooled.toString();
  });
  afterAll(async () => {
    await bouncer?.stop();
    await test?.drop();
  });

  it('schedulers and workers through the pooler run every task once (LISTEN via a direct URL, or off)', async () => {
    const d = dag({ id: 'pooled_chain', schedule: '@hourly', start: '2026-01-01', catchup: true, maxActiveRuns: 20 });
    const a = d.task('a', async () => 1);
    d.task('b', async () => 2).after(a);
    const clock = new ManualClock('2026-01-01T12:30:00Z'); // 12 runs due
    const dbs: Database[] = [];
    const open = async (): Promise<Database> => {
      const db = await openDatabase({ url: pooledUrl, poolMax: 4 });
      dbs.push(db);
      return db;
    };
    await until(async () => (await openDatabase({ url: pooledUrl, poolMax: 1 }).then((db) => db.close().then(() => true), () => false)), 'PgBouncer to accept connections', 15_000);
    try {
      const schedulers = [
        makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 50, listenUrl: test.url as string }),
        makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 50 }),
      ];
      const workers = [
        makeWorker((await open()).knex, [d], { listenUrl: test.url as string, heartbeatConnection: { url: pooledUrl }, heartbeatIntervalMs: 100 }),
        makeWorker((await open()).knex, [d], { heartbeatConnection: { url: pooledUrl }, heartbeatIntervalMs: 100 }),
      ];
      for (const p of [...schedulers, ...workers]) p.start();
      await until(async () => (await countRuns(test.db.knex, 'pooled_chain', 'success')) === 12, '12 successful runs through PgBouncer');
      await Promise.all([...schedulers.map((s) => s.stop(0)), ...workers.map((w) => w.stop(0))]);
      const attempts = rowsOf(
        await test.db.knex.raw(
          `SELECT a.run_pk, a.task_id, count(*) AS n, min(a.state) AS state FROM sluice_attempts a GROUP BY a.run_pk, a.task_id`,
        ),
      );
      expect(attempts).toHaveLength(24);
      expect(attempts.filter((r) => Number(r.n) !== 1 || r.state !== 'success')).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});

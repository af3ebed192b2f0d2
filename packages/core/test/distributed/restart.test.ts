import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { MemoryLogger } from '../../src/logger.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { rowsOf } from '../../src/store/rows.js';
import { makeScheduler, runState, taskInstance } from '../engine/harness.js';
import { makeWorker, until } from './harness.js';
import { startRestartablePostgres, type RestartablePostgres } from './restartable-postgres.js';

describe('distributed: a PostgreSQL restart', () => {
  let server: RestartablePostgres;
  beforeAll(async () => {
    server = await startRestartablePostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
  });

  it('processes survive it, and a task that finished while the database was down is recorded once it is back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const d = dag({ id: 'survivor', schedule: null });
    const a = d.task('a', async () => {
      await gate;
      return 'finished while down';
    });
    d.task('b', async () => 'after').after(a);
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const dbs: Database[] = [];
    try {
      const admin = await openDatabase({ url: server.url, poolMax: 2 });
      dbs.push(admin);
      await migrate(admin);
      const run = await triggerDagRun(admin.knex, d, {}, clock.now());
      const schedulerDb = await openDatabase({ url: server.url, poolMax: 3 });
      const workerDb = await openDatabase({ url: server.url, poolMax: 3 });
      dbs.push(schedulerDb, workerDb);
      const workerLog = new MemoryLogger();
      const scheduler = makeScheduler(schedulerDb.knex, [d], clock, { concurrency: 0, loopIntervalMs: 100, heartbeatTimeoutMs: 60_000, listenUrl: server.url });
      const worker = makeWorker(workerDb.knex, [d], {
        pollIntervalMs: 100,
        heartbeatIntervalMs: 200,
        heartbeatConnection: { url: server.url },
        listenUrl: server.url,
        logger: workerLog,
      });
      scheduler.start();
      worker.start();
      await until(async () => (await taskInstance(admin.knex, run.pk, 'a')).state === 'running', 'task a to run');

      await server.stop();
      release();
      // While the server is down a pool may wait knex's acquireConnectionTimeout (60 s) before the report fails.
      await until(async () => workerLog.lines.some((l) => l.message.startsWith('database unreachable; keeping the attempt result')), 'the report to fail', 90_000);
      await new Promise((r) => setTimeout(r, 1000));
      await server.start();

      await until(async () => (await runState(admin.knex, run.pk).catch(() => 'unknown')) === 'success', 'the run to finish after the restart');
      await Promise.all([scheduler.stop(0), worker.stop(0)]);
      const attempts = rowsOf(await admin.knex.raw(`SELECT task_id, state, try_number FROM sluice_attempts WHERE run_pk = ? ORDER BY task_id`, [run.pk]));
      expect(attempts.map((r) => [r.task_id, r.state, r.try_number])).toEqual([
        ['a', 'success', 1],
        ['b', 'success', 1],
      ]);
      const outputs = rowsOf(await admin.knex.raw(`SELECT task_id, value FROM sluice_outputs WHERE run_pk = ? ORDER BY task_id`, [run.pk]));
      expect(outputs.map((o) => [o.task_id, o.value])).toEqual([
        ['a', 'finished while down'],
        ['b', 'after'],
      ]);
    } finally {
      release();
      await Promise.all(dbs.map((db) => db.close()));
    }
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { MemoryLogger } from '../../src/logger.js';
import { VersionCache } from '../../src/scheduler/dag-registry.js';
import { failStaleAttempts } from '../../src/scheduler/stale-attempts.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { claimQueuedTasks } from '../../src/store/claim-tasks.js';
import { rowsOf } from '../../src/store/rows.js';
import { makeScheduler, taskInstance } from '../engine/harness.js';
import { makeWorker, until, useProcessDatabases } from './harness.js';

describe('distributed: liveness and fencing', () => {
  const processes = useProcessDatabases();
  const open = processes.open;

  it('fails an attempt whose worker stopped heartbeating, retries it elsewhere, and rejects the old late result', async () => {
    let releaseFirst: () => void = () => undefined;
    const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve));
    const d = dag({ id: 'fenced', schedule: null });
    d.task('slow', { retries: 1, retryDelay: 0 }, async (ctx) => {
      if (ctx.tryNumber === 1) {
        await firstGate;
        return 'first';
      }
      return 'second';
    });
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const run = await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    const scheduler = makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 50, heartbeatTimeoutMs: 400 });
    // Worker A claims, then never heartbeats again (as if its process hung or its network dropped).
    const loggerA = new MemoryLogger();
    const workerA = makeWorker((await open()).knex, [d], { concurrency: 1, heartbeatIntervalMs: 3_600_000, logger: loggerA });
    const workerB = makeWorker((await open()).knex, [d], { heartbeatIntervalMs: 50 });
    scheduler.start();
    workerA.start();
    await until(async () => (await taskInstance(processes.test.db.knex, run.pk, 'slow')).worker === workerA.processId, 'worker A to claim');
    // A's only slot stays busy with the gated attempt; B takes the retry once the scheduler declares A's attempt lost.
    workerB.start();
    await until(async () => (await taskInstance(processes.test.db.knex, run.pk, 'slow')).state === 'success', 'the retry to succeed on worker B');
    releaseFirst();
    await workerA.executor.idle();
    await Promise.all([scheduler.stop(0), workerA.stop(0), workerB.stop(0)]);

    const ti = await taskInstance(processes.test.db.knex, run.pk, 'slow');
    expect([ti.state, ti.try_number, ti.worker]).toEqual(['success', 2, workerB.processId]);
    const attempts = rowsOf(await processes.test.db.knex.raw(`SELECT try_number, state, worker, error FROM sluice_attempts WHERE run_pk = ? ORDER BY try_number`, [run.pk]));
    expect(attempts.map((a) => [a.try_number, a.state, a.worker])).toEqual([
      [1, 'up_for_retry', workerA.processId],
      [2, 'success', workerB.processId],
    ]);
    expect(String(attempts[0]?.error)).toMatch(/attempt lost: no heartbeat/);
    const output = rowsOf(await processes.test.db.knex.raw(`SELECT value FROM sluice_outputs WHERE run_pk = ? AND task_id = 'slow'`, [run.pk]));
    expect(output.map((o) => o.value)).toEqual(['second']);
    expect(loggerA.lines.some((l) => l.message.startsWith('late attempt result rejected'))).toBe(true);
  });

  it('two schedulers failing the same stale attempts at once: exactly one wins each', async () => {
    const d = dag({ id: 'stale_race', schedule: null });
    for (let i = 0; i < 5; i++) d.task(`t${i}`, async () => i);
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    const [dbA, dbB] = [await open(), await open()];
    const a = makeScheduler(dbA.knex, [d], clock, { concurrency: 0 });
    const b = makeScheduler(dbB.knex, [d], clock, { concurrency: 0 });
    await a.runOnce();
    await a.runOnce();
    const claimed = await claimQueuedTasks(processes.test.db.knex, { queues: ['default'], limit: 10, worker: 'ghost', hostname: 'nowhere' });
    expect(claimed).toHaveLength(5);
    await processes.test.db.knex.raw(`UPDATE sluice_task_instances SET heartbeat_at = now() - interval '1 hour' WHERE worker = 'ghost'`);
    const results = await Promise.all(
      [dbA, dbB, dbA, dbB].map((db) => failStaleAttempts(db.knex, new VersionCache(db.knex), 60_000, [], clock.now(), new MemoryLogger())),
    );
    expect(results.reduce((x, y) => x + y, 0)).toBe(5);
    const states = rowsOf(await processes.test.db.knex.raw(`SELECT state, count(*) AS n FROM sluice_attempts WHERE worker = 'ghost' GROUP BY state`));
    expect(states.map((r) => [r.state, Number(r.n)])).toEqual([['failed', 5]]);
    await Promise.all([a.stop(0), b.stop(0)]);
  });
});

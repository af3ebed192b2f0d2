import { describe, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import type { IterationStats } from '../../src/scheduler/scheduler.js';
import type { WorkerIterationStats } from '../../src/worker/worker.js';
import type { MemoryLogger } from '../../src/logger.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { rowsOf } from '../../src/store/rows.js';
import { makeScheduler } from '../engine/harness.js';
import { ConcurrencyProbe, countRuns, makeWorker, until, useProcessDatabases } from './harness.js';

/** Several schedulers and workers, each with its own pool ("process"), on one Postgres database. */
describe('distributed: schedulers and workers sharing one database', () => {
  const processes = useProcessDatabases();
  const open = processes.open;


  it('3 schedulers + 3 workers: every task instance runs once, with one attempt, and no scheduler logs an error', async () => {
    const probe = new ConcurrencyProbe();
    const d = dag({ id: 'many_runs', schedule: '@hourly', start: '2026-01-01', catchup: true, maxActiveRuns: 50 });
    const a = d.task('a', async (ctx) => probe.run(`${ctx.runId}:a`, 5));
    d.task('b', async (ctx) => probe.run(`${ctx.runId}:b`, 5)).after(a);
    const clock = new ManualClock('2026-01-02T16:30:00Z'); // 40 hourly runs are due
    const schedulers = await Promise.all([0, 1, 2].map(async () => makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 20 })));
    const workers = await Promise.all([0, 1, 2].map(async () => makeWorker((await open()).knex, [d], { concurrency: 4, pollIntervalMs: 20 })));
    for (const p of [...schedulers, ...workers]) p.start();
    await until(async () => (await countRuns(processes.test.db.knex, 'many_runs', 'success')) === 40, '40 successful runs');
    await Promise.all([...schedulers.map((s) => s.stop(0)), ...workers.map((w) => w.stop(0))]);

    const attempts = rowsOf(
      await processes.test.db.knex.raw(
        `SELECT a.run_pk, a.task_id, count(*) AS n, min(a.state) AS state, min(a.worker) AS worker FROM sluice_attempts a
         JOIN sluice_dag_runs r ON r.id = a.run_pk WHERE r.dag_id = 'many_runs' GROUP BY a.run_pk, a.task_id`,
      ),
    );
    expect(attempts).toHaveLength(80);
    expect(attempts.filter((r) => Number(r.n) !== 1 || r.state !== 'success')).toEqual([]);
    expect(probe.executions.size).toBe(80);
    expect([...probe.executions.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(attempts.map((r) => String(r.worker))).size).toBeGreaterThan(1);
    const runs = rowsOf(await processes.test.db.knex.raw(`SELECT count(DISTINCT logical_date) AS d, count(*) AS n FROM sluice_dag_runs WHERE dag_id = 'many_runs'`))[0];
    expect([Number(runs?.d), Number(runs?.n)]).toEqual([40, 40]);
    for (const s of schedulers) {
      const errors = (s as unknown as { logger: MemoryLogger }).logger.lines.filter((l) => l.level === 'error');
      expect(errors).toEqual([]);
    }
  });

  it('pool slots and maxActiveTasks hold across processes', async () => {
    await processes.test.db.knex.raw(`INSERT INTO sluice_pools (name, slots) VALUES ('tiny', 2)`);
    const pooledProbe = new ConcurrencyProbe();
    const pooled = dag({ id: 'pooled', schedule: null });
    for (let i = 0; i < 6; i++) pooled.task(`t${i}`, { pool: 'tiny' }, async (ctx) => pooledProbe.run(`${ctx.runId}:${ctx.taskId}`, 60));
    const cappedProbe = new ConcurrencyProbe();
    const capped = dag({ id: 'capped', schedule: null, maxActiveTasks: 3 });
    for (let i = 0; i < 8; i++) capped.task(`t${i}`, async (ctx) => cappedProbe.run(`${ctx.runId}:${ctx.taskId}`, 60));
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      await triggerDagRun(processes.test.db.knex, pooled, { logicalDate: new Date(Date.UTC(2026, 1, 1 + i)) }, clock.now());
      await triggerDagRun(processes.test.db.knex, capped, { logicalDate: new Date(Date.UTC(2026, 1, 1 + i)) }, clock.now());
    }
    const schedulers = await Promise.all([0, 1].map(async () => makeScheduler((await open()).knex, [pooled, capped], clock, { concurrency: 0, loopIntervalMs: 20 })));
    const workers = await Promise.all([0, 1, 2].map(async () => makeWorker((await open()).knex, [pooled, capped], { concurrency: 8, pollIntervalMs: 20 })));
    for (const p of [...schedulers, ...workers]) p.start();
    await until(
      async () => (await countRuns(processes.test.db.knex, 'pooled', 'success')) === 3 && (await countRuns(processes.test.db.knex, 'capped', 'success')) === 3,
      'pooled and capped runs to succeed',
    );
    await Promise.all([...schedulers.map((s) => s.stop(0)), ...workers.map((w) => w.stop(0))]);
    expect(pooledProbe.executions.size).toBe(18);
    expect(pooledProbe.max).toBeLessThanOrEqual(2);
    expect(cappedProbe.executions.size).toBe(24);
    expect(cappedProbe.max).toBeLessThanOrEqual(3);
  });

  it('routes tasks by queue: a worker only claims from its queues', async () => {
    const d = dag({ id: 'routed', schedule: null });
    d.task('in_a', { queue: 'a' }, async () => 1);
    d.task('in_b', { queue: 'b' }, async () => 2);
    d.task('in_default', async () => 3);
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    for (let i = 0; i < 4; i++) await triggerDagRun(processes.test.db.knex, d, { logicalDate: new Date(Date.UTC(2026, 1, 1 + i)) }, clock.now());
    const schedulerStats: IterationStats[] = [];
    const workerStats: WorkerIterationStats[] = [];
    const scheduler = makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 20, onIteration: (x) => schedulerStats.push(x) });
    const workerA = makeWorker((await open()).knex, [d], { queues: ['a'] });
    const workerB = makeWorker((await open()).knex, [d], { queues: ['b', 'default'], onIteration: (x) => workerStats.push(x) });
    for (const p of [scheduler, workerA, workerB]) p.start();
    await until(async () => (await countRuns(processes.test.db.knex, 'routed', 'success')) === 4, 'routed runs to succeed');
    await Promise.all([scheduler.stop(0), workerA.stop(0), workerB.stop(0)]);
    const byTask = rowsOf(
      await processes.test.db.knex.raw(
        `SELECT a.task_id, array_agg(DISTINCT a.worker) AS workers FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk
         WHERE r.dag_id = 'routed' GROUP BY a.task_id ORDER BY a.task_id`,
      ),
    );
    // onIteration: the scheduling-only scheduler claims nothing; the worker reports its claims and their latency.
    expect(schedulerStats.reduce((n, x) => n + x.tasksQueued, 0)).toBe(12);
    expect(schedulerStats.every((x) => x.claimLatencyMs === undefined && x.tasksLaunched === 0 && x.durationMs >= 0)).toBe(true);
    expect(workerStats.reduce((n, x) => n + x.tasksLaunched, 0)).toBe(8);
    expect(workerStats.filter((x) => x.tasksLaunched > 0).every((x) => typeof x.claimLatencyMs === 'number')).toBe(true);
    expect(byTask.map((r) => [r.task_id, r.workers])).toEqual([
      ['in_a', [workerA.processId]],
      ['in_b', [workerB.processId]],
      ['in_default', [workerB.processId]],
    ]);
  });
});

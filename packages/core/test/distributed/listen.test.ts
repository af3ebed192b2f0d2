import { describe, expect, it } from 'vitest';
import { dag, type Dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { MemoryLogger } from '../../src/logger.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { makeScheduler, runState } from '../engine/harness.js';
import { makeWorker, until, useProcessDatabases } from './harness.js';

/** Three tasks in a chain: each step needs a scheduler pass and a worker claim. */
function chain(id: string): Dag<unknown> {
  const d = dag({ id, schedule: null });
  const a = d.task('a', async () => 1);
  const b = d.task('b', async () => 2).after(a);
  d.task('c', async () => 3).after(b);
  return d as Dag<unknown>;
}

describe('distributed: wake-ups by LISTEN/NOTIFY, polling as the fallback', () => {
  const processes = useProcessDatabases();
  const open = processes.open;
  const clock = new ManualClock('2026-03-01T00:00:00Z');

  it('NOTIFY wakes workers and schedulers: a chain finishes although both poll only every 60 s', async () => {
    const d = chain('listen_chain');
    const run = await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    const url = processes.test.url as string;
    const worker = makeWorker((await open()).knex, [d], { pollIntervalMs: 60_000, listenUrl: url });
    const scheduler = makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 60_000, listenUrl: url });
    worker.start();
    await until(async () => worker.listening, 'the worker to LISTEN');
    scheduler.start();
    await until(async () => (await runState(processes.test.db.knex, run.pk)) === 'success', 'the run to succeed (woken by notifications)');
    expect(scheduler.listening).toBe(true);
    await Promise.all([worker.stop(0), scheduler.stop(0)]);
  });

  it('keeps working after the LISTEN connection is killed (reconnects)', async () => {
    const d = chain('listen_reconnect');
    const url = processes.test.url as string;
    const logger = new MemoryLogger();
    const worker = makeWorker((await open()).knex, [d], { pollIntervalMs: 60_000, listenUrl: url, logger });
    const scheduler = makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 60_000, listenUrl: url });
    worker.start();
    scheduler.start();
    await until(async () => worker.listening && scheduler.listening, 'both to LISTEN');
    await processes.test.db.knex.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`);
    await until(async () => logger.lines.some((l) => l.message.startsWith('wake-up listener lost')), 'the worker to notice');
    await until(async () => worker.listening && scheduler.listening, 'both to LISTEN again');
    const run = await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    scheduler.wake();
    await until(async () => (await runState(processes.test.db.knex, run.pk)) === 'success', 'the run to succeed after reconnecting');
    await Promise.all([worker.stop(0), scheduler.stop(0)]);
  });

  it('polls when LISTEN is off', async () => {
    const d = chain('poll_only');
    const run = await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    const worker = makeWorker((await open()).knex, [d], { pollIntervalMs: 100 });
    const scheduler = makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 100 });
    worker.start();
    scheduler.start();
    await until(async () => (await runState(processes.test.db.knex, run.pk)) === 'success', 'the run to succeed by polling');
    expect(worker.listening).toBe(false);
    await Promise.all([worker.stop(0), scheduler.stop(0)]);
  });

  it('polls while the listener cannot connect', async () => {
    const d = chain('listener_down');
    const run = await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    const logger = new MemoryLogger();
    const dead = 'postgres://nobody:secret@127.0.0.1:1/nothing';
    const worker = makeWorker((await open()).knex, [d], { pollIntervalMs: 100, listenUrl: dead, logger });
    const scheduler = makeScheduler((await open()).knex, [d], clock, { concurrency: 0, loopIntervalMs: 100, listenUrl: dead });
    worker.start();
    scheduler.start();
    await until(async () => (await runState(processes.test.db.knex, run.pk)) === 'success', 'the run to succeed by polling');
    expect(worker.listening).toBe(false);
    const warning = logger.lines.find((l) => l.message.startsWith('wake-up listener could not connect'));
    expect(warning).toBeDefined();
    expect(JSON.stringify(warning)).not.toContain('secret');
    await Promise.all([worker.stop(0), scheduler.stop(0)]);
  });
});

import { expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { clearTaskInstances } from '../../src/scheduler/clear.js';
import { claimQueuedTasks } from '../../src/store/claim-tasks.js';
import { finishAttempt } from '../../src/store/finish-attempt.js';
import { queueScheduledTasks } from '../../src/store/queue-tasks.js';
import { rowsOf } from '../../src/store/rows.js';
import { listAssetEvents } from '../../src/store/assets.js';
import { listRuns } from '../../src/store/runs.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { drive, makeScheduler, runFinished, runState, taskInstance, taskStates } from './harness.js';

describeEachBackend('guarded transitions', (getDb) => {
  it('a cleared attempt can no longer record its late result', async () => {
    const d = dag({ id: 'fenced', schedule: null });
    d.task('a', async () => 1);
    const knex = getDb().knex;
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(knex, d, {}, clock.now());
    const s = makeScheduler(knex, [d], clock, { concurrency: 0 });
    await s.runOnce();
    await s.runOnce();
    const [claimed] = await claimQueuedTasks(knex, { queues: ['default'], limit: 10, worker: 'w1', hostname: 'h' });
    expect(claimed?.taskId).toBe('a');
    expect(claimed?.tryNumber).toBe(1);
    await clearTaskInstances(knex, { runPk: run.pk, structure: d.structure() });
    const late = await finishAttempt(knex, { runPk: run.pk, taskId: 'a', mapIndex: -1, attemptId: claimed?.attemptId as string, state: 'success', dagId: d.id, runId: run.runId });
    expect(late).toBe(false);
    expect((await taskStates(knex, run.pk)).a).toBe('none');
    await s.stop(0);
  });

  it('claims never hand the same task instance to two claimers', async () => {
    const d = dag({ id: 'claims', schedule: null, maxActiveTasks: 20 });
    for (let i = 0; i < 20; i++) d.task(`t${i}`, async () => i);
    const knex = getDb().knex;
    const run = await triggerDagRun(knex, d, {}, new Date());
    const s = makeScheduler(knex, [d], new ManualClock(new Date()), { concurrency: 0 });
    await s.runOnce();
    const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => claimQueuedTasks(knex, { queues: ['default'], limit: 6, worker: `w${i}`, hostname: 'h' })));
    const ids = claims.flat().filter((c) => c.runPk === run.pk).map((c) => c.taskId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    const attempts = rowsOf(await knex.raw('SELECT count(*) AS n FROM sluice_attempts WHERE run_pk = ?', [run.pk]));
    expect(Number(attempts[0]?.n)).toBe(20);
    await s.stop(0);
  });

  it('a pool with one slot runs its tasks one at a time', async () => {
    const knex = getDb().knex;
    await knex.raw(`INSERT INTO sluice_pools (name, slots) VALUES ('single', 1) ON CONFLICT (name) DO UPDATE SET slots = 1`);
    let active = 0;
    let peak = 0;
    const d = dag({ id: 'pooled', schedule: null });
    for (let i = 0; i < 4; i++) {
      d.task(`t${i}`, { pool: 'single' }, async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
      });
    }
    const run = await triggerDagRun(knex, d, {}, new Date());
    const s = makeScheduler(knex, [d], new ManualClock(new Date()), { concurrency: 4 });
    await drive(s, runFinished(knex, run.pk));
    expect(peak).toBe(1);
    await s.stop(0);
  });

  it('maxActiveTasks limits queued + running task instances of a DAG', async () => {
    const d = dag({ id: 'limited', schedule: null, maxActiveTasks: 2 });
    for (let i = 0; i < 5; i++) d.task(`t${i}`, async () => i);
    const knex = getDb().knex;
    const run = await triggerDagRun(knex, d, {}, new Date());
    const s = makeScheduler(knex, [d], new ManualClock(new Date()), { concurrency: 0 });
    await s.runOnce();
    await queueScheduledTasks(knex, { maxActiveTasks: () => 2, maxActiveMapped: () => undefined });
    const states = Object.values(await taskStates(knex, run.pk));
    expect(states.filter((x) => x === 'queued')).toHaveLength(2);
    await s.stop(0);
  });

  it('dependsOnPast waits for the previous run of the task to succeed', async () => {
    let fail = true;
    const d = dag({ id: 'past', schedule: null });
    d.task('a', { dependsOnPast: true }, async () => {
      if (fail) throw new Error('first run fails');
    });
    const knex = getDb().knex;
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const first = await triggerDagRun(knex, d, { logicalDate: new Date('2026-01-01T00:00:00Z') }, clock.now());
    const s = makeScheduler(knex, [d], clock);
    await drive(s, runFinished(knex, first.pk));
    expect(await runState(knex, first.pk)).toBe('failed');
    fail = false;
    const second = await triggerDagRun(knex, d, { logicalDate: new Date('2026-01-02T00:00:00Z') }, clock.now());
    for (let i = 0; i < 3; i++) await s.runOnce();
    expect((await taskStates(knex, second.pk)).a).toBe('none');
    await clearTaskInstances(knex, { runPk: first.pk, structure: d.structure() });
    await drive(s, async () => (await runState(knex, second.pk)) === 'success');
    expect(await runState(knex, first.pk)).toBe('success');
    await s.stop(0);
  });

  it('a run whose attempt stopped heartbeating is failed and retried', async () => {
    const d = dag({ id: 'zombie', schedule: null });
    d.task('a', { retries: 1, retryDelay: 0 }, async () => 'ok');
    const knex = getDb().knex;
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(knex, d, {}, clock.now());
    const s = makeScheduler(knex, [d], clock, { concurrency: 0, heartbeatTimeoutMs: 1000 });
    await s.runOnce();
    const [claimed] = await claimQueuedTasks(knex, { queues: ['default'], limit: 1, worker: 'dead-worker', hostname: 'h' });
    await knex.raw(`UPDATE sluice_task_instances SET heartbeat_at = now() - interval '1 hour' WHERE attempt_id = ?`, [claimed?.attemptId as string]);
    await s.runOnce();
    const ti = await taskInstance(knex, run.pk, 'a');
    expect(ti.state).toBe('up_for_retry');
    expect(ti.error).toMatch(/no heartbeat/);
    const late = await finishAttempt(knex, { runPk: run.pk, taskId: 'a', mapIndex: -1, attemptId: claimed?.attemptId as string, state: 'success', dagId: d.id, runId: run.runId });
    expect(late).toBe(false);
    await s.stop(0);
  });

  it('graceful stop hands unfinished attempts back without using a try', async () => {
    const d = dag({ id: 'shutdown', schedule: null });
    d.task('slow', async (ctx) => {
      await new Promise((r) => {
        const t = setTimeout(r, 5000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
      return 'done';
    });
    const knex = getDb().knex;
    const run = await triggerDagRun(knex, d, {}, new Date());
    const s = makeScheduler(knex, [d], new ManualClock(new Date()));
    for (let i = 0; i < 3 && (await taskStates(knex, run.pk)).slow !== 'running'; i++) await s.runOnce();
    expect((await taskStates(knex, run.pk)).slow).toBe('running');
    const result = await s.stop(50);
    expect(result.released).toBe(1);
    const ti = await taskInstance(knex, run.pk, 'slow');
    expect(ti.state).toBe('scheduled');
    expect(Number(ti.try_number)).toBe(0);
  });

  it('an asset update triggers the DAG scheduled on it, with the events in the context', async () => {
    const seen: unknown[] = [];
    const producer = dag({ id: 'producer', schedule: null });
    producer.task('stage', { outlets: ['s3://bucket/staged'] }, async (ctx) => {
      ctx.recordAssetEvent('s3://bucket/staged', { keys: 3 });
    });
    const consumer = dag({ id: 'consumer', schedule: { assets: ['s3://bucket/staged'] } });
    consumer.task('load', async (ctx) => {
      seen.push(...ctx.triggeringAssetEvents.map((e) => ({ uri: e.uri, metadata: e.metadata, dagId: e.dagId })));
    });
    const knex = getDb().knex;
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const s = makeScheduler(knex, [producer, consumer], clock);
    await s.runOnce();
    expect(await listRuns(knex, { dagId: 'consumer' })).toHaveLength(0);
    const run = await triggerDagRun(knex, producer, {}, clock.now());
    await drive(s, runFinished(knex, run.pk));
    expect((await listAssetEvents(knex, { uri: 's3://bucket/staged' }))[0]?.metadata).toEqual({ keys: 3 });
    clock.advance(1000);
    await drive(s, async () => (await listRuns(knex, { dagId: 'consumer', state: 'success' })).length === 1);
    expect(seen).toEqual([{ uri: 's3://bucket/staged', metadata: { keys: 3 }, dagId: 'producer' }]);
    clock.advance(1000);
    await s.runOnce();
    expect(await listRuns(knex, { dagId: 'consumer' })).toHaveLength(1);
    await s.stop(0);
  });
});

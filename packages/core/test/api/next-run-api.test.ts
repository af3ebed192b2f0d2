import { afterAll, expect, it } from 'vitest';
import { dag, type Dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { makeScheduler } from '../engine/harness.js';
import { call, makeApp } from './helpers.js';

describeEachBackend('API next run', (getDb) => {
  let scheduler: Scheduler | undefined;
  afterAll(async () => {
    await scheduler?.stop(0);
  });

  it('respects a start in the future before and after a manual run', async () => {
    const d = dag({ id: 'future_start', schedule: '0 6 * * *', start: '2027-01-05' });
    d.task('a', async () => 1);
    const dags = [d as unknown as Dag<unknown>];
    const clock = new ManualClock('2026-01-05T10:00:00Z');
    scheduler = makeScheduler(getDb().knex, dags, clock, { concurrency: 0 });
    await scheduler.runOnce();
    const app = makeApp(getDb(), { dags, clock });
    const nextRun = async (): Promise<unknown> => ((await call(app, 'GET', '/api/v1/dags')).body.dags[0] as { nextRun: { logicalDate: string } }).nextRun.logicalDate;
    expect(await nextRun()).toBe('2027-01-05T06:00:00.000Z');
    expect((await call(app, 'POST', '/api/v1/dags/future_start/runs', { body: {} })).status).toBe(201);
    await scheduler.runOnce();
    expect(await nextRun()).toBe('2027-01-05T06:00:00.000Z');
    expect((await call(app, 'GET', '/api/v1/dags/future_start')).body.nextRun.logicalDate).toBe('2027-01-05T06:00:00.000Z');
  });
});

import { afterAll, expect, it } from 'vitest';
import { dag, type Dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { makeScheduler } from '../engine/harness.js';
import { call, makeApp } from './helpers.js';

interface Logs {
  lines: { id: number; message: string }[];
  nextAfter: number | null;
  attemptRunning: boolean;
}

describeEachBackend('API log tail', (getDb) => {
  let scheduler: Scheduler | undefined;
  let quietScheduler: Scheduler | undefined;
  afterAll(async () => {
    await scheduler?.stop(0);
    await quietScheduler?.stop(0);
  });

  it('shows a single line of a running attempt without waiting for a batch or the end', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const d = dag({ id: 'quiet_tail', schedule: null });
    d.task('quiet', async (ctx) => {
      ctx.log.info('started, now waiting');
      await gate;
      return 1;
    });
    const dags = [d as unknown as Dag<unknown>];
    const clock = new ManualClock('2026-01-05T00:00:00Z');
    quietScheduler = makeScheduler(getDb().knex, dags, clock);
    await quietScheduler.runOnce();
    const app = makeApp(getDb(), { dags, clock });
    const created = await call(app, 'POST', '/api/v1/dags/quiet_tail/runs', { body: {} });
    const logsPath = `/api/v1/dags/quiet_tail/runs/${encodeURIComponent(created.body.runId as string)}/tasks/quiet/logs`;
    let seen: Logs | undefined;
    for (let i = 0; i < 100 && !seen; i++) {
      await quietScheduler.runOnce();
      const r = (await call(app, 'GET', logsPath)).body as Logs;
      if (r.lines.length > 0) seen = r;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      if (!seen) throw new Error('the running attempt never stored its only line');
      expect(seen.attemptRunning).toBe(true);
      expect(seen.lines.map((l) => l.message)).toEqual(['started, now waiting']);
    } finally {
      release();
      await quietScheduler.executor?.idle();
    }
  });

  it('tails a running attempt with after=nextAfter until it ends', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const d = dag({ id: 'tail_demo', schedule: null });
    // 200 lines make the executor flush a batch while the attempt still runs.
    d.task('slow', async (ctx) => {
      for (let i = 0; i < 200; i++) ctx.log.info(`early ${i}`);
      await gate;
      ctx.log.info('the end');
      return 1;
    });
    const dags = [d as unknown as Dag<unknown>];
    const clock = new ManualClock('2026-01-05T00:00:00Z');
    scheduler = makeScheduler(getDb().knex, dags, clock);
    await scheduler.runOnce();
    const app = makeApp(getDb(), { dags, clock });
    const created = await call(app, 'POST', '/api/v1/dags/tail_demo/runs', { body: {} });
    expect(created.status).toBe(201);
    const logsPath = `/api/v1/dags/tail_demo/runs/${encodeURIComponent(created.body.runId as string)}/tasks/slow/logs?limit=1000`;
    let seen: Logs | undefined;
    for (let i = 0; i < 100 && !seen; i++) {
      await scheduler.runOnce();
      const r = (await call(app, 'GET', logsPath)).body as Logs;
      if (r.lines.length >= 200) seen = r;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!seen) throw new Error('the running attempt never flushed its first lines');
    expect(seen.attemptRunning).toBe(true);
    expect(seen.lines[0]?.message).toBe('early 0');
    const idle = (await call(app, 'GET', `${logsPath}&after=${seen.nextAfter}`)).body as Logs;
    expect(idle.lines).toEqual([]);
    expect(idle.nextAfter).toBe(seen.nextAfter);
    release();
    await scheduler.executor?.idle();
    const rest = (await call(app, 'GET', `${logsPath}&after=${seen.nextAfter}`)).body as Logs;
    expect(rest.lines.map((l) => l.message)).toContain('the end');
    expect(rest.lines.every((l) => l.id > (seen?.nextAfter ?? 0))).toBe(true);
    expect(rest.attemptRunning).toBe(false);
  });
});

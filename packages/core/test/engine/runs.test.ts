import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { createBackfill, listBackfills } from '../../src/scheduler/backfill.js';
import { getTaskOutputs } from '../../src/store/outputs.js';
import { listRuns } from '../../src/store/runs.js';
import { rowsOf } from '../../src/store/rows.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { drive, makeScheduler, runFinished, runState, taskStates } from './harness.js';

describeEachBackend('runs', (getDb, kind) => {
  it('creates the latest complete interval only (catchup false), once', async () => {
    const d = dag({ id: 'daily_nocatchup', schedule: '@daily', start: '2026-01-01' });
    d.task('a', async () => 1);
    const clock = new ManualClock('2026-01-04T06:00:00Z');
    const s = makeScheduler(getDb().knex, [d], clock, { concurrency: 0 });
    await s.runOnce();
    await s.runOnce();
    const runs = await listRuns(getDb().knex, { dagId: 'daily_nocatchup' });
    expect(runs.map((r) => [r.logicalDate.toISOString(), r.dataIntervalEnd.toISOString(), r.runType])).toEqual([
      ['2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z', 'scheduled'],
    ]);
    expect(runs[0]?.runId).toBe('scheduled__2026-01-03T00:00:00+00:00');
    await s.stop(0);
  });

  it('catches up every missed interval within maxActiveRuns', async () => {
    const d = dag({ id: 'daily_catchup', schedule: '@daily', start: '2026-01-01', catchup: true, maxActiveRuns: 2 });
    d.task('a', async () => 1);
    const clock = new ManualClock('2026-01-05T00:30:00Z');
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, async () => (await listRuns(getDb().knex, { dagId: 'daily_catchup', state: 'success' })).length === 4, 60);
    const runs = await listRuns(getDb().knex, { dagId: 'daily_catchup' });
    expect(runs.map((r) => r.logicalDate.toISOString().slice(0, 10)).sort()).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']);
    await s.stop(0);
  });

  it('two schedulers at once still create each run once (unique constraint)', async () => {
    const d = dag({ id: 'two_schedulers', schedule: '@hourly', start: '2026-01-01', catchup: true, maxActiveRuns: 50 });
    d.task('a', async () => 1);
    const clock = new ManualClock('2026-01-01T10:30:00Z');
    const a = makeScheduler(getDb().knex, [d], clock, { concurrency: 0 });
    const b = makeScheduler(getDb().knex, [d], clock, { concurrency: 0 });
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    const rows = rowsOf(await getDb().knex.raw(`SELECT logical_date, count(*) AS n FROM sluice_dag_runs WHERE dag_id = 'two_schedulers' GROUP BY logical_date`));
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    await Promise.all([a.stop(0), b.stop(0)]);
  });

  it('keeps creating runs for its DAGs while another scheduler with other DAGs marks them inactive', async () => {
    const x = dag({ id: 'hourly_x', schedule: '@hourly', start: '2026-01-01', catchup: true, maxActiveRuns: 1 });
    x.task('a', async () => 1);
    const y = dag({ id: 'hourly_y', schedule: null });
    y.task('a', async () => 1);
    const clock = new ManualClock('2026-01-01T03:30:00Z');
    const a = makeScheduler(getDb().knex, [x], clock);
    const b = makeScheduler(getDb().knex, [y], clock, { concurrency: 0 });
    for (let i = 0; i < 12; i++) {
      await a.runOnce();
      await a.executor?.idle();
      await b.runOnce();
    }
    const runs = await listRuns(getDb().knex, { dagId: 'hourly_x' });
    expect(runs.map((r) => r.logicalDate.toISOString().slice(11, 16)).sort()).toEqual(['00:00', '01:00', '02:00']);
    await Promise.all([a.stop(0), b.stop(0)]);
  });

  it('runs a DAG end to end with typed outputs and stores them', async () => {
    const d = dag({ id: 'etl_outputs', schedule: null, params: z.object({ n: z.number().default(3) }) });
    const extract = d.task('extract', async (ctx) => Array.from({ length: ctx.params.n }, (_, i) => ({ id: i })));
    const load = d.task('load', { inputs: { rows: extract } }, async (ctx, { rows }) => {
      ctx.log.info('loading', { n: rows.length });
      return rows.length;
    });
    const label = d.task('label', { inputs: { n: load } }, async (_ctx, { n }) => `loaded ${n}`);
    d.task('echo', { inputs: { label } }, async (_ctx, { label: text }) => ({ text, nothing: null }));
    const clock = new ManualClock('2026-02-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, { conf: { n: 4 } }, clock.now());
    expect(run.conf).toEqual({ n: 4 });
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await runState(getDb().knex, run.pk)).toBe('success');
    const outputs = await getTaskOutputs(getDb().knex, run.pk, [{ taskId: 'extract', mapped: false }, { taskId: 'load', mapped: false }]);
    expect(outputs.get('extract')).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }, { id: 3 }]);
    expect(outputs.get('load')).toBe(4);
    const more = await getTaskOutputs(getDb().knex, run.pk, [{ taskId: 'label', mapped: false }, { taskId: 'echo', mapped: false }]);
    expect(more.get('label')).toBe('loaded 4');
    expect(more.get('echo')).toEqual({ text: 'loaded 4', nothing: null });
    await s.stop(0);
  });

  it('rejects bad conf naming the field, and stores nothing', async () => {
    const d = dag({ id: 'conf_check', schedule: null, params: z.object({ subreddit: z.string().min(2) }) });
    d.task('a', async () => 1);
    await expect(triggerDagRun(getDb().knex, d, { conf: { subreddit: 1 } }, new Date())).rejects.toThrow(/params\.subreddit/);
    expect(await listRuns(getDb().knex, { dagId: 'conf_check' })).toHaveLength(0);
  });

  it('refuses a second manual run for the same logical date', async () => {
    const d = dag({ id: 'same_date', schedule: null });
    d.task('a', async () => 1);
    const when = new Date('2026-03-01T00:00:00Z');
    await triggerDagRun(getDb().knex, d, { logicalDate: when }, when);
    await expect(triggerDagRun(getDb().knex, d, { logicalDate: when }, when)).rejects.toThrow(/already has a run/);
  });

  it('backfills a range with its own concurrency, and reruns failed runs with reprocess=failed', async () => {
    let failFirst = true;
    const d = dag({ id: 'backfilled', schedule: '@daily', start: '2026-01-01' });
    d.task('a', async (ctx) => {
      if (failFirst && ctx.logicalDate.toISOString().startsWith('2026-01-02')) throw new Error('flaky');
      return ctx.logicalDate.toISOString();
    });
    const knex = getDb().knex;
    const dry = await createBackfill(knex, d, { from: new Date('2026-01-01'), to: new Date('2026-01-03'), reprocess: 'none', dryRun: true });
    expect(dry.backfillId).toBeUndefined();
    expect(dry.plan.map((p) => p.action)).toEqual(['create', 'create', 'create']);
    expect(await listRuns(knex, { dagId: 'backfilled' })).toHaveLength(0);
    const { backfillId } = await createBackfill(knex, d, { from: new Date('2026-01-01'), to: new Date('2026-01-03'), reprocess: 'none', maxActiveRuns: 1 });
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const s = makeScheduler(knex, [d], clock);
    await s.runOnce();
    const running = (await listRuns(knex, { dagId: 'backfilled' })).filter((r) => r.state === 'running');
    expect(running.length).toBeLessThanOrEqual(1);
    await drive(s, async () => (await listBackfills(knex, 'backfilled')).find((b) => b.id === backfillId)?.state !== 'running');
    const first = (await listBackfills(knex, 'backfilled')).find((b) => b.id === backfillId);
    expect(first?.state).toBe('failed');
    expect(first?.runs).toMatchObject({ total: 3, success: 2, failed: 1 });
    failFirst = false;
    const again = await createBackfill(knex, d, { from: new Date('2026-01-01'), to: new Date('2026-01-03'), reprocess: 'failed' });
    expect(again.plan.map((p) => p.action)).toEqual(['skip', 'rerun', 'skip']);
    await drive(s, async () => (await listBackfills(knex, 'backfilled')).find((b) => b.id === again.backfillId)?.state !== 'running');
    expect((await listBackfills(knex, 'backfilled')).find((b) => b.id === again.backfillId)?.state).toBe('success');
    expect((await listRuns(knex, { dagId: 'backfilled' })).map((r) => r.state)).toEqual(['success', 'success', 'success']);
    await s.stop(0);
  });

  it('does not start runs of a paused DAG', async () => {
    const d = dag({ id: 'paused_dag', schedule: '@daily', start: '2026-01-01', pausedOnCreation: true });
    d.task('a', async () => 1);
    const s = makeScheduler(getDb().knex, [d], new ManualClock('2026-01-03T00:00:00Z'));
    await s.runOnce();
    expect(await listRuns(getDb().knex, { dagId: 'paused_dag' })).toHaveLength(0);
    await s.stop(0);
  });

  describe.skipIf(kind !== 'postgres')('postgres only', () => {
    it('keeps task states per run', async () => {
      const d = dag({ id: 'states_pg', schedule: null });
      d.task('a', async () => 1);
      const run = await triggerDagRun(getDb().knex, d, {}, new Date());
      const s = makeScheduler(getDb().knex, [d], new ManualClock(new Date()));
      await drive(s, runFinished(getDb().knex, run.pk));
      expect(await taskStates(getDb().knex, run.pk)).toEqual({ a: 'success' });
      await s.stop(0);
    });
  });
});

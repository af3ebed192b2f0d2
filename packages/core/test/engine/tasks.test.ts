import { expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { FailNowError, SkipError } from '../../src/errors.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { getTaskOutputs } from '../../src/store/outputs.js';
import { getLogLines } from '../../src/store/logs.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { drive, makeScheduler, runFinished, runState, taskInstance, taskStates } from './harness.js';

describeEachBackend('task semantics', (getDb) => {
  it('retries after retryDelay (fake clock) and succeeds on the second try', async () => {
    let calls = 0;
    const events: string[] = [];
    const d = dag({ id: 'retrying', schedule: null });
    d.task('flaky', { retries: 2, retryDelay: '5m', onRetry: (i) => void events.push(`retry ${i.tryNumber}`), onSuccess: (i) => void events.push(`success ${i.tryNumber}`) }, async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
      return 'ok';
    });
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, async () => (await taskStates(getDb().knex, run.pk)).flaky === 'up_for_retry');
    const ti = await taskInstance(getDb().knex, run.pk, 'flaky');
    expect(new Date(ti.next_attempt_at as string).toISOString()).toBe('2026-01-01T00:05:00.000Z');
    await s.runOnce();
    expect((await taskStates(getDb().knex, run.pk)).flaky).toBe('up_for_retry');
    clock.advance(5 * 60_000);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await runState(getDb().knex, run.pk)).toBe('success');
    expect(Number((await taskInstance(getDb().knex, run.pk, 'flaky')).try_number)).toBe(2);
    expect(events).toEqual(['retry 1', 'success 2']);
    const logs = await getLogLines(getDb().knex, { runPk: run.pk, taskId: 'flaky', mapIndex: -1 });
    expect(logs.find((l) => l.tryNumber === 1)?.message).toContain('transient');
    await s.stop(0);
  });

  it('FailNowError fails without retries; downstream is upstream_failed; the run fails', async () => {
    const failures: string[] = [];
    const d = dag({ id: 'fail_now', schedule: null });
    const a = d.task('a', { retries: 3, onFailure: (i) => void failures.push(i.error ?? '') }, async () => {
      throw new FailNowError('bad input');
    });
    d.task('b', { upstream: [a] }, async () => 1);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await taskStates(getDb().knex, run.pk)).toEqual({ a: 'failed', b: 'upstream_failed' });
    expect(await runState(getDb().knex, run.pk)).toBe('failed');
    expect(failures).toEqual(['FailNowError: bad input']);
    await s.stop(0);
  });

  it('SkipError skips; all_success downstream is skipped; all_done runs; the run succeeds', async () => {
    const d = dag({ id: 'skipping', schedule: null });
    const a = d.task('a', async () => {
      throw new SkipError('nothing new');
    });
    d.task('b', { upstream: [a] }, async () => 1);
    d.task('cleanup', { upstream: [a], triggerRule: 'all_done' }, async () => 'cleaned');
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await taskStates(getDb().knex, run.pk)).toEqual({ a: 'skipped', b: 'skipped', cleanup: 'success' });
    expect(await runState(getDb().knex, run.pk)).toBe('success');
    await s.stop(0);
  });

  it('a branch follows one path; the other is skipped; the join runs', async () => {
    const d = dag({ id: 'branching', schedule: null });
    const pick = d.branch('pick', {}, async () => 'left');
    const left = d.task('left', { upstream: [pick] }, async () => 'L');
    const right = d.task('right', { upstream: [pick] }, async () => 'R');
    const rightChild = d.task('right_child', { upstream: [right] }, async () => 'RC');
    d.task('join', { upstream: [left, rightChild], triggerRule: 'none_failed_min_one_success' }, async () => 'J');
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await taskStates(getDb().knex, run.pk)).toEqual({ pick: 'success', left: 'success', right: 'skipped', right_child: 'skipped', join: 'success' });
    await s.stop(0);
  });

  it('a branch naming a task that is not its direct downstream fails', async () => {
    const d = dag({ id: 'bad_branch', schedule: null });
    const pick = d.branch('pick', {}, async () => 'nowhere');
    d.task('x', { upstream: [pick] }, async () => 1);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect((await taskInstance(getDb().knex, run.pk, 'pick')).error).toMatch(/not its direct downstream/);
    await s.stop(0);
  });

  it('maps over an array output, caps mapped concurrency, and fans in outputs in order', async () => {
    let active = 0;
    let peak = 0;
    const d = dag({ id: 'mapping', schedule: null });
    const list = d.task('list', async () => [3, 1, 2, 5]);
    const doubled = d.map('double', list, { maxActiveMapped: 2 }, async (_ctx, n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
      return n * 2;
    });
    d.task('sum', { inputs: { doubled } }, async (_ctx, { doubled: values }) => values);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock, { concurrency: 8 });
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await runState(getDb().knex, run.pk)).toBe('success');
    expect(peak).toBeLessThanOrEqual(2);
    const outputs = await getTaskOutputs(getDb().knex, run.pk, [{ taskId: 'sum', mapped: false }]);
    expect(outputs.get('sum')).toEqual([6, 2, 4, 10]);
    expect(Object.keys(await taskStates(getDb().knex, run.pk)).filter((k) => k.startsWith('double['))).toHaveLength(4);
    await s.stop(0);
  });

  it('an empty array makes the mapped task skipped', async () => {
    const d = dag({ id: 'empty_map', schedule: null });
    const list = d.task('list', async () => [] as number[]);
    const m = d.map('each', list, {}, async (_ctx, n) => n);
    d.task('after', { upstream: [m] }, async () => 1);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect(await taskStates(getDb().knex, run.pk)).toEqual({ list: 'success', each: 'skipped', after: 'skipped' });
    await s.stop(0);
  });

  it('mapping over a non-array output fails the source with a clear error', async () => {
    const d = dag({ id: 'map_non_array', schedule: null });
    const src = d.task('src', async () => ({ not: 'an array' }) as unknown as number[]);
    d.map('each', src, {}, async (_ctx, n) => n);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    expect((await taskInstance(getDb().knex, run.pk, 'src')).error).toMatch(/must return an array/);
    expect(await taskStates(getDb().knex, run.pk)).toEqual({ src: 'failed', each: 'upstream_failed' });
    await s.stop(0);
  });

  it('a timeout fails the attempt even if the task ignores its signal', async () => {
    let aborted = false;
    const d = dag({ id: 'timing_out', schedule: null });
    d.task('slow', { timeout: 50 }, async (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = true;
      });
      await new Promise((r) => setTimeout(r, 400));
      return 'too late';
    });
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    const ti = await taskInstance(getDb().knex, run.pk, 'slow');
    expect(ti.state).toBe('failed');
    expect(ti.error).toMatch(/TaskTimeoutError/);
    expect(aborted).toBe(true);
    await s.stop(0);
  });

  it('a reschedule-mode sensor frees its slot between checks and keeps its try number', async () => {
    let pokes = 0;
    const d = dag({ id: 'sensing', schedule: null });
    d.sensor('wait', { mode: 'reschedule', pokeInterval: '1m', sensorTimeout: '1h' }, async () => {
      pokes++;
      return pokes >= 3 ? { done: true, output: 'found' } : false;
    });
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, async () => (await taskStates(getDb().knex, run.pk)).wait === 'up_for_reschedule');
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await drive(s, async () => ['up_for_reschedule', 'success'].includes((await taskStates(getDb().knex, run.pk)).wait ?? ''), 10);
    }
    await drive(s, runFinished(getDb().knex, run.pk));
    const ti = await taskInstance(getDb().knex, run.pk, 'wait');
    expect(ti.state).toBe('success');
    expect(Number(ti.try_number)).toBe(1);
    expect(pokes).toBe(3);
    await s.stop(0);
  });

  it('a poke-mode sensor keeps its slot and checks until done, in one attempt', async () => {
    let pokes = 0;
    const d = dag({ id: 'poking', schedule: null });
    d.sensor('wait', { mode: 'poke', pokeInterval: 10, sensorTimeout: '1h' }, async () => {
      pokes++;
      return pokes >= 3 ? { done: true, output: { found: pokes } } : false;
    });
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    const ti = await taskInstance(getDb().knex, run.pk, 'wait');
    expect(ti.state).toBe('success');
    expect(Number(ti.try_number)).toBe(1);
    expect(pokes).toBe(3);
    expect((await getTaskOutputs(getDb().knex, run.pk, [{ taskId: 'wait', mapped: false }])).get('wait')).toEqual({ found: 3 });
    await s.stop(0);
  });

  it('a poke-mode sensor past its timeout fails without using its retries', async () => {
    const d = dag({ id: 'poke_timeout', schedule: null });
    d.sensor('wait', { mode: 'poke', pokeInterval: 10, sensorTimeout: 30, retries: 3 }, async () => false);
    const run = await triggerDagRun(getDb().knex, d, {}, new Date());
    const s = makeScheduler(getDb().knex, [d], { now: () => new Date() });
    await drive(s, runFinished(getDb().knex, run.pk));
    const ti = await taskInstance(getDb().knex, run.pk, 'wait');
    expect(ti.state).toBe('failed');
    expect(Number(ti.try_number)).toBe(1);
    expect(ti.error).toMatch(/SensorTimeoutError/);
    await s.stop(0);
  });

  it('a sensor timing out with softFail ends skipped', async () => {
    const d = dag({ id: 'soft_fail', schedule: null });
    d.sensor('wait', { mode: 'reschedule', pokeInterval: '1m', sensorTimeout: '2m', softFail: true }, async () => false);
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    for (let i = 0; i < 4; i++) {
      await drive(s, async () => ['up_for_reschedule', 'skipped'].includes((await taskStates(getDb().knex, run.pk)).wait ?? ''), 10);
      clock.advance(60_000);
    }
    await drive(s, runFinished(getDb().knex, run.pk));
    expect((await taskStates(getDb().knex, run.pk)).wait).toBe('skipped');
    await s.stop(0);
  });

  it('rejects an output over the size cap with a clear error', async () => {
    const d = dag({ id: 'big_output', schedule: null });
    d.task('big', async () => 'x'.repeat(2000));
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock, { maxOutputBytes: 1000 });
    await drive(s, runFinished(getDb().knex, run.pk));
    expect((await taskInstance(getDb().knex, run.pk, 'big')).error).toMatch(/over the 1000-byte limit/);
    await s.stop(0);
  });
});

import { expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { getTaskOutputs } from '../../src/store/outputs.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { drive, makeScheduler, runFinished, taskInstance, taskStates } from './harness.js';

describeEachBackend('DAG versions', (getDb) => {
  it('a run keeps the structure it was created with; tasks run the current code', async () => {
    const v1 = dag({ id: 'versioned', schedule: null });
    const a1 = v1.task('a', async () => 'a from v1');
    v1.task('b', { upstream: [a1] }, async () => 'b from v1');
    const knex = getDb().knex;
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(knex, v1, {}, clock.now());
    expect(run.versionHash).toBe(v1.versionHash());

    // The code changes before the run executes: b is gone, a is new code, c is added.
    const v2 = dag({ id: 'versioned', schedule: null });
    const a2 = v2.task('a', async () => 'a from v2');
    v2.task('c', { upstream: [a2] }, async () => 'c from v2');
    expect(v2.versionHash()).not.toBe(v1.versionHash());

    const s = makeScheduler(knex, [v2], clock);
    await drive(s, runFinished(knex, run.pk));
    expect(await taskStates(knex, run.pk)).toEqual({ a: 'success', b: 'failed' });
    expect((await taskInstance(knex, run.pk, 'b')).error).toMatch(new RegExp(`no longer exists.*${v1.versionHash()}`));
    expect((await getTaskOutputs(knex, run.pk, [{ taskId: 'a', mapped: false }])).get('a')).toBe('a from v2');

    const next = await triggerDagRun(knex, v2, { logicalDate: new Date('2026-01-02T00:00:00Z') }, clock.now());
    expect(next.versionHash).toBe(v2.versionHash());
    await drive(s, runFinished(knex, next.pk));
    expect(await taskStates(knex, next.pk)).toEqual({ a: 'success', c: 'success' });
    await s.stop(0);
  });
});

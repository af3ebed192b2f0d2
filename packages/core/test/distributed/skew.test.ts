import { describe, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import type { Clock } from '../../src/clock.js';
import { rowsOf } from '../../src/store/rows.js';
import { makeScheduler } from '../engine/harness.js';
import { makeDbTimeScheduler, makeWorker, useProcessDatabases } from './harness.js';

/** A local clock off by `offsetMs` from the real (and the database's) time. */
const skewed = (offsetMs: number): Clock => ({ now: () => new Date(Date.now() + offsetMs) });

describe('distributed: clock skew between processes', () => {
  const processes = useProcessDatabases();
  const open = processes.open;

  const runsOf = async (dagId: string): Promise<{ logical: number; end: number; created: number }[]> =>
    rowsOf(await processes.test.db.knex.raw(`SELECT logical_date, data_interval_end, created_at FROM sluice_dag_runs WHERE dag_id = ? ORDER BY logical_date`, [dagId])).map((r) => ({
      logical: new Date(r.logical_date as Date).getTime(),
      end: new Date(r.data_interval_end as Date).getTime(),
      created: new Date(r.created_at as Date).getTime(),
    }));

  it('schedulers at +30 s and -30 s create each run once, when it is due by database time, and fail no attempt early', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    const d = dag({ id: 'skewed', schedule: { every: '2s' }, start, maxActiveRuns: 16 });
    d.task('work', async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return 'ok';
    });
    // No `clock`: each scheduler derives database time from its own (skewed) local clock.
    const ahead = makeDbTimeScheduler((await open()).knex, [d], skewed(30_000), { concurrency: 0, loopIntervalMs: 100, heartbeatTimeoutMs: 3000 });
    const behind = makeDbTimeScheduler((await open()).knex, [d], skewed(-30_000), { concurrency: 0, loopIntervalMs: 100, heartbeatTimeoutMs: 3000 });
    const worker = makeWorker((await open()).knex, [d], { localClock: skewed(30_000), heartbeatIntervalMs: 300, concurrency: 8 });
    for (const p of [ahead, behind, worker]) p.start();
    await new Promise((r) => setTimeout(r, 7000));
    await Promise.all([ahead.stop(0), behind.stop(0)]);
    await worker.stop(10_000);

    const runs = await runsOf('skewed');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runs.map((r) => r.logical)).size).toBe(runs.length);
    // Never before the interval ended (database time), whatever the local clocks say.
    expect(runs.filter((r) => r.created < r.end - 500)).toEqual([]);
    const attempts = rowsOf(
      await processes.test.db.knex.raw(`SELECT a.state, a.try_number, a.error FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk WHERE r.dag_id = 'skewed'`),
    );
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.state !== 'success' || Number(a.try_number) !== 1)).toEqual([]);
  });

  it('(control) a scheduler trusting a clock 30 s fast creates runs before they are due', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    const d = dag({ id: 'skewed_uncorrected', schedule: { every: '2s' }, start });
    d.task('work', async () => 'ok');
    const fast = makeScheduler((await open()).knex, [d], skewed(30_000), { concurrency: 0 });
    await fast.runOnce();
    await fast.stop(0);
    const runs = await runsOf('skewed_uncorrected');
    expect(runs.some((r) => r.created < r.end - 20_000)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { planBackfill, type BackfillPlanInput } from '../../src/scheduling/backfill-plan.js';
import type { RunState } from '../../src/states.js';
import { d } from './helpers.js';

const existing: { logicalDate: Date; state: RunState }[] = [
  { logicalDate: d('2024-01-02T00:00:00Z'), state: 'success' },
  { logicalDate: d('2024-01-03T00:00:00Z'), state: 'failed' },
  { logicalDate: d('2024-01-04T00:00:00Z'), state: 'running' },
  { logicalDate: d('2024-01-05T00:00:00Z'), state: 'queued' },
  { logicalDate: d('2024-01-09T00:00:00Z'), state: 'failed' }, // outside the range
];

function plan(overrides: Partial<BackfillPlanInput>) {
  return planBackfill({
    schedule: { kind: 'cron', expression: '0 0 * * *' },
    timezone: 'UTC',
    from: d('2024-01-01T00:00:00Z'),
    to: d('2024-01-06T00:00:00Z'),
    existing,
    reprocess: 'none',
    ...overrides,
  }).map((item) => `${item.interval.start.toISOString().slice(0, 10)} ${item.action}`);
}

describe('planBackfill', () => {
  it('none: creates missing dates and skips every date with a run', () => {
    expect(plan({})).toEqual(['2024-01-01 create', '2024-01-02 skip', '2024-01-03 skip', '2024-01-04 skip', '2024-01-05 skip', '2024-01-06 create']);
  });

  it('failed: reruns failed runs only', () => {
    expect(plan({ reprocess: 'failed' })).toEqual(['2024-01-01 create', '2024-01-02 skip', '2024-01-03 rerun', '2024-01-04 skip', '2024-01-05 skip', '2024-01-06 create']);
  });

  it('all: reruns every finished run, but never an active one', () => {
    expect(plan({ reprocess: 'all' })).toEqual(['2024-01-01 create', '2024-01-02 rerun', '2024-01-03 rerun', '2024-01-04 skip', '2024-01-05 skip', '2024-01-06 create']);
  });

  it('gives a reason for every item', () => {
    const items = planBackfill({ schedule: { kind: 'cron', expression: '0 0 * * *' }, timezone: 'UTC', from: d('2024-01-01T00:00:00Z'), to: d('2024-01-05T00:00:00Z'), existing, reprocess: 'failed' });
    expect(items.map((i) => i.reason)).toEqual([
      'no run for this date yet',
      'the existing run succeeded (reprocess=failed reruns only failed runs)',
      'the existing run failed (reprocess=failed)',
      'a run for this date is already running',
      'a run for this date is already queued',
    ]);
    expect(items[0]?.interval.end.toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });

  it('anchors interval schedules and returns nothing for schedules without intervals', () => {
    const hourly = plan({ schedule: { kind: 'interval', everyMs: 6 * 3_600_000 }, anchor: d('2024-01-01T03:00:00Z'), to: d('2024-01-01T20:00:00Z'), existing: [] });
    expect(hourly).toEqual(['2024-01-01 create', '2024-01-01 create', '2024-01-01 create']);
    expect(plan({ schedule: { kind: 'none' } })).toEqual([]);
  });

  it('plans a DST day in the DAG timezone', () => {
    const items = planBackfill({
      schedule: { kind: 'cron', expression: '0 0 * * *' },
      timezone: 'America/New_York',
      from: d('2024-03-09T00:00:00Z'),
      to: d('2024-03-11T00:00:00Z'),
      existing: [],
      reprocess: 'none',
    });
    expect(items.map((i) => i.interval.start.toISOString())).toEqual(['2024-03-09T05:00:00.000Z', '2024-03-10T05:00:00.000Z']);
    expect(items[1]?.interval.end.toISOString()).toBe('2024-03-11T04:00:00.000Z');
  });
});

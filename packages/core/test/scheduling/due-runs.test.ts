import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../src/authoring/schedule.js';
import { computeDueRuns, type DueRunsInput } from '../../src/scheduling/due-runs.js';
import { intervalsInRange, latestCompleteInterval, type DataInterval } from '../../src/scheduling/intervals.js';
import { d } from './helpers.js';

const daily: ScheduleSpec = { kind: 'cron', expression: '0 0 * * *' };
const show = (list: DataInterval[]): string[] => list.map((i) => `${i.start.toISOString().slice(0, 16)}→${i.end.toISOString().slice(0, 16)}`);

function input(overrides: Partial<DueRunsInput>): DueRunsInput {
  return {
    schedule: daily,
    timezone: 'UTC',
    start: d('2024-01-01T00:00:00Z'),
    catchup: false,
    maxActiveRuns: 16,
    activeRunCount: 0,
    hasAnyRun: false,
    now: d('2024-01-10T12:00:00Z'),
    ...overrides,
  };
}

describe('computeDueRuns — schedules without intervals', () => {
  it('none and assets never create scheduled runs', () => {
    expect(computeDueRuns(input({ schedule: { kind: 'none' } }))).toEqual([]);
    expect(computeDueRuns(input({ schedule: { kind: 'assets', uris: ['s3://b/p'] }, catchup: true }))).toEqual([]);
  });

  it('once: [start, start] if the DAG has no run and start has come', () => {
    const once = { schedule: { kind: 'once' } as ScheduleSpec };
    expect(show(computeDueRuns(input(once)))).toEqual(['2024-01-01T00:00→2024-01-01T00:00']);
    expect(computeDueRuns(input({ ...once, hasAnyRun: true }))).toEqual([]);
    expect(computeDueRuns(input({ ...once, now: d('2023-12-31T23:59:59Z') }))).toEqual([]);
    expect(show(computeDueRuns(input({ ...once, now: d('2024-01-01T00:00:00Z') })))).toHaveLength(1);
    expect(show(computeDueRuns(input({ ...once, start: undefined })))).toEqual(['2024-01-10T12:00→2024-01-10T12:00']);
    expect(computeDueRuns(input({ ...once, end: d('2023-12-01T00:00:00Z') }))).toEqual([]);
    expect(computeDueRuns(input({ ...once, maxActiveRuns: 0 }))).toEqual([]);
  });
});

describe('computeDueRuns — catchup: false', () => {
  it('only the most recent complete interval', () => {
    expect(show(computeDueRuns(input({})))).toEqual(['2024-01-09T00:00→2024-01-10T00:00']);
  });

  it('only if it starts after the last scheduled logical date', () => {
    expect(computeDueRuns(input({ lastScheduledLogicalDate: d('2024-01-09T00:00:00Z') }))).toEqual([]);
    expect(computeDueRuns(input({ lastScheduledLogicalDate: d('2024-01-09T06:00:00Z') }))).toEqual([]);
    expect(show(computeDueRuns(input({ lastScheduledLogicalDate: d('2024-01-05T00:00:00Z') })))).toEqual(['2024-01-09T00:00→2024-01-10T00:00']);
  });

  it('nothing before start, nothing starting after end (then the last interval before end)', () => {
    expect(computeDueRuns(input({ start: d('2024-01-09T12:00:00Z') }))).toEqual([]);
    expect(computeDueRuns(input({ start: d('2024-01-10T00:00:00Z') }))).toEqual([]);
    expect(show(computeDueRuns(input({ end: d('2024-01-05T00:00:00Z') })))).toEqual(['2024-01-05T00:00→2024-01-06T00:00']);
    expect(show(computeDueRuns(input({ end: d('2024-01-05T13:00:00Z') })))).toEqual(['2024-01-05T00:00→2024-01-06T00:00']);
    expect(computeDueRuns(input({ end: d('2024-01-05T00:00:00Z'), lastScheduledLogicalDate: d('2024-01-05T00:00:00Z') }))).toEqual([]);
  });

  it('a run becomes due exactly when its interval ends', () => {
    expect(show(computeDueRuns(input({ now: d('2024-01-10T00:00:00Z') })))).toEqual(['2024-01-09T00:00→2024-01-10T00:00']);
    expect(show(computeDueRuns(input({ now: d('2024-01-09T23:59:59.999Z') })))).toEqual(['2024-01-08T00:00→2024-01-09T00:00']);
  });

  it('respects maxActiveRuns', () => {
    expect(computeDueRuns(input({ maxActiveRuns: 1, activeRunCount: 1 }))).toEqual([]);
  });

  it('without start: the latest complete interval', () => {
    expect(show(computeDueRuns(input({ start: undefined })))).toEqual(['2024-01-09T00:00→2024-01-10T00:00']);
  });
});

describe('computeDueRuns — catchup: true', () => {
  const catchup = { catchup: true, now: d('2024-01-04T12:00:00Z') };

  it('every missed interval since start, oldest first', () => {
    expect(show(computeDueRuns(input(catchup)))).toEqual([
      '2024-01-01T00:00→2024-01-02T00:00',
      '2024-01-02T00:00→2024-01-03T00:00',
      '2024-01-03T00:00→2024-01-04T00:00',
    ]);
  });

  it('continues after the last scheduled run', () => {
    expect(show(computeDueRuns(input({ ...catchup, lastScheduledLogicalDate: d('2024-01-02T00:00:00Z') })))).toEqual([
      '2024-01-03T00:00→2024-01-04T00:00',
    ]);
    expect(computeDueRuns(input({ ...catchup, lastScheduledLogicalDate: d('2024-01-03T00:00:00Z') }))).toEqual([]);
  });

  it('returns at most maxActiveRuns − activeRunCount intervals', () => {
    expect(show(computeDueRuns(input({ ...catchup, maxActiveRuns: 3, activeRunCount: 1 })))).toEqual([
      '2024-01-01T00:00→2024-01-02T00:00',
      '2024-01-02T00:00→2024-01-03T00:00',
    ]);
    expect(computeDueRuns(input({ ...catchup, maxActiveRuns: 3, activeRunCount: 3 }))).toEqual([]);
    expect(computeDueRuns(input({ ...catchup, maxActiveRuns: 3, activeRunCount: 5 }))).toEqual([]);
  });

  it('honours end and a start that is not on a tick', () => {
    expect(show(computeDueRuns(input({ ...catchup, end: d('2024-01-02T00:00:00Z') })))).toHaveLength(2);
    expect(show(computeDueRuns(input({ ...catchup, start: d('2024-01-01T06:00:00Z') })))).toEqual([
      '2024-01-02T00:00→2024-01-03T00:00',
      '2024-01-03T00:00→2024-01-04T00:00',
    ]);
  });

  it('anchors interval schedules at start', () => {
    const hourly = { schedule: { kind: 'interval', everyMs: 3_600_000 } as ScheduleSpec, start: d('2024-01-01T00:30:00Z'), now: d('2024-01-01T03:45:00Z') };
    expect(show(computeDueRuns(input({ ...catchup, ...hourly })))).toEqual([
      '2024-01-01T00:30→2024-01-01T01:30',
      '2024-01-01T01:30→2024-01-01T02:30',
      '2024-01-01T02:30→2024-01-01T03:30',
    ]);
  });

  it('across the Berlin spring change the daily intervals stay contiguous (one is 23 hours)', () => {
    const berlin = { timezone: 'Europe/Berlin', start: d('2024-03-29T23:00:00Z'), now: d('2024-04-02T00:00:00Z') };
    const due = computeDueRuns(input({ ...catchup, ...berlin }));
    expect(show(due)).toEqual(['2024-03-29T23:00→2024-03-30T23:00', '2024-03-30T23:00→2024-03-31T22:00', '2024-03-31T22:00→2024-04-01T22:00']);
  });

  it('without start or a previous run it behaves like catchup: false', () => {
    expect(show(computeDueRuns(input({ ...catchup, start: undefined })))).toEqual(['2024-01-03T00:00→2024-01-04T00:00']);
  });
});

describe('computeDueRuns — properties (a scheduler loop calling it over time)', () => {
  const scheduleArb = fc.constantFrom<ScheduleSpec>(
    { kind: 'cron', expression: '0 0 * * *' },
    { kind: 'cron', expression: '0 */6 * * *' },
    { kind: 'cron', expression: '30 2 * * *' },
    { kind: 'interval', everyMs: 5 * 3_600_000 },
  );
  const tzArb = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York');
  const startArb = fc.integer({ min: Date.parse('2024-03-20T00:00:00Z'), max: Date.parse('2024-03-30T00:00:00Z') });

  it('catchup: true creates every complete interval since start exactly once, in order', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        tzArb,
        startArb,
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 20 * 3_600_000 }), { minLength: 1, maxLength: 15 }),
        (schedule, timezone, startMs, maxActiveRuns, steps) => {
          const start = new Date(startMs);
          const created: DataInterval[] = [];
          let now = startMs;
          const loop = (): void => {
            const last = created.at(-1)?.start;
            const due = computeDueRuns({ schedule, timezone, start, catchup: true, maxActiveRuns, activeRunCount: 0, hasAnyRun: created.length > 0, now: new Date(now), ...(last ? { lastScheduledLogicalDate: last } : {}) });
            expect(due.length).toBeLessThanOrEqual(maxActiveRuns);
            for (const interval of due) expect(interval.end.getTime()).toBeLessThanOrEqual(now);
            created.push(...due);
          };
          for (const step of steps) {
            now += step;
            loop();
          }
          for (let i = 0; i < 200; i++) loop(); // drain at the final time
          const expected = intervalsInRange(schedule, { timezone, anchor: start }, start, new Date(now)).filter((i) => i.end.getTime() <= now);
          expect(show(created)).toEqual(show(expected));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('catchup: false creates increasing, complete intervals and ends on the latest complete one', () => {
    fc.assert(
      fc.property(scheduleArb, tzArb, startArb, fc.array(fc.integer({ min: 0, max: 40 * 3_600_000 }), { minLength: 1, maxLength: 10 }), (schedule, timezone, startMs, steps) => {
        const start = new Date(startMs);
        const created: DataInterval[] = [];
        let now = startMs;
        for (const step of steps) {
          now += step;
          const last = created.at(-1)?.start;
          const due = computeDueRuns({ schedule, timezone, start, catchup: false, maxActiveRuns: 16, activeRunCount: 0, hasAnyRun: created.length > 0, now: new Date(now), ...(last ? { lastScheduledLogicalDate: last } : {}) });
          expect(due.length).toBeLessThanOrEqual(1);
          for (const interval of due) {
            expect(interval.end.getTime()).toBeLessThanOrEqual(now);
            expect(interval.start.getTime()).toBeGreaterThanOrEqual(startMs);
            if (last) expect(interval.start.getTime()).toBeGreaterThan(last.getTime());
          }
          created.push(...due);
        }
        const latest = latestCompleteInterval(schedule, { timezone, anchor: start }, new Date(now));
        if (latest && latest.start.getTime() >= startMs) expect(created.at(-1)?.start.getTime()).toBe(latest.start.getTime());
        else expect(created).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

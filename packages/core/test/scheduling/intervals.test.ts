import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../src/authoring/schedule.js';
import { ValidationError } from '../../src/errors.js';
import {
  MAX_INTERVALS_IN_RANGE,
  intervalStartingAtOrBefore,
  intervalsInRange,
  iterateIntervals,
  latestCompleteInterval,
  manualDataInterval,
  nextDataInterval,
  validateCronExpression,
  type DataInterval,
} from '../../src/scheduling/intervals.js';
import { d } from './helpers.js';

const daily: ScheduleSpec = { kind: 'cron', expression: '0 0 * * *' };
const every15m: ScheduleSpec = { kind: 'interval', everyMs: 15 * 60_000 };
const show = (i: DataInterval | undefined): string | undefined => (i ? `${i.start.toISOString()} → ${i.end.toISOString()}` : undefined);

describe('validateCronExpression', () => {
  it('accepts 5- and 6-field crons and presets', () => {
    expect(() => validateCronExpression('*/5 * * * *', 'UTC')).not.toThrow();
    expect(() => validateCronExpression('0 */5 * * * *', 'Europe/Berlin')).not.toThrow();
    expect(() => validateCronExpression('@weekly', 'America/New_York')).not.toThrow();
  });

  it('throws ValidationError naming `schedule` for a bad cron and `timezone` for a bad zone', () => {
    expect(() => validateCronExpression('not a cron', 'UTC')).toThrow(ValidationError);
    try {
      validateCronExpression('99 * * * *', 'UTC');
    } catch (error) {
      expect((error as ValidationError).field).toBe('schedule');
      expect((error as Error).name).toBe('ValidationError');
    }
    try {
      validateCronExpression('* * * * *', 'Nowhere/Land');
    } catch (error) {
      expect((error as ValidationError).field).toBe('timezone');
    }
    expect.assertions(4);
  });
});

describe('nextDataInterval', () => {
  it('cron: the first interval starting at or after `after`', () => {
    expect(show(nextDataInterval(daily, 'UTC', d('2024-01-01T00:00:00Z')))).toBe('2024-01-01T00:00:00.000Z → 2024-01-02T00:00:00.000Z');
    expect(show(nextDataInterval(daily, 'UTC', d('2024-01-01T00:00:00.001Z')))).toBe('2024-01-02T00:00:00.000Z → 2024-01-03T00:00:00.000Z');
    expect(show(nextDataInterval(daily, { timezone: 'Europe/Berlin' }, d('2024-01-01T00:00:00Z')))).toBe(
      '2024-01-01T23:00:00.000Z → 2024-01-02T23:00:00.000Z',
    );
  });

  it('cron: a day across the Berlin spring change is 23 hours long', () => {
    const interval = nextDataInterval(daily, 'Europe/Berlin', d('2024-03-30T23:00:00Z'));
    expect(show(interval)).toBe('2024-03-30T23:00:00.000Z → 2024-03-31T22:00:00.000Z');
  });

  it('interval schedules are anchored (at the epoch by default)', () => {
    expect(show(nextDataInterval(every15m, 'UTC', d('2024-01-01T01:00:00Z')))).toBe('2024-01-01T01:00:00.000Z → 2024-01-01T01:15:00.000Z');
    expect(show(nextDataInterval(every15m, { timezone: 'UTC', anchor: d('2024-01-01T00:05:00Z') }, d('2024-01-01T01:00:00Z')))).toBe(
      '2024-01-01T01:05:00.000Z → 2024-01-01T01:20:00.000Z',
    );
    expect(show(nextDataInterval(every15m, { timezone: 'UTC', anchor: d('2024-01-01T00:05:00Z') }, d('2023-12-31T23:55:00Z')))).toBe(
      '2024-01-01T00:05:00.000Z → 2024-01-01T00:20:00.000Z',
    );
  });

  it('none and assets have no intervals; once has [anchor, anchor]', () => {
    expect(nextDataInterval({ kind: 'none' }, 'UTC', d('2024-01-01T00:00:00Z'))).toBeUndefined();
    expect(nextDataInterval({ kind: 'assets', uris: ['s3://b/p'] }, 'UTC', d('2024-01-01T00:00:00Z'))).toBeUndefined();
    expect(nextDataInterval({ kind: 'once' }, 'UTC', d('2024-01-01T00:00:00Z'))).toBeUndefined();
    const anchor = d('2024-02-01T00:00:00Z');
    expect(show(nextDataInterval({ kind: 'once' }, { timezone: 'UTC', anchor }, d('2024-01-01T00:00:00Z')))).toBe(
      '2024-02-01T00:00:00.000Z → 2024-02-01T00:00:00.000Z',
    );
    expect(nextDataInterval({ kind: 'once' }, { timezone: 'UTC', anchor }, d('2024-03-01T00:00:00Z'))).toBeUndefined();
  });

  it('throws ValidationError for an invalid stored cron', () => {
    expect(() => nextDataInterval({ kind: 'cron', expression: '* * *' }, 'UTC', d('2024-01-01T00:00:00Z'))).toThrow(ValidationError);
    expect(() => nextDataInterval({ kind: 'interval', everyMs: 0 }, 'UTC', d('2024-01-01T00:00:00Z'))).toThrow(ValidationError);
  });
});

describe('latestCompleteInterval', () => {
  it('cron: the latest interval whose end is at or before now', () => {
    expect(show(latestCompleteInterval(daily, 'UTC', d('2024-01-03T12:00:00Z')))).toBe('2024-01-02T00:00:00.000Z → 2024-01-03T00:00:00.000Z');
    expect(show(latestCompleteInterval(daily, 'UTC', d('2024-01-03T00:00:00Z')))).toBe('2024-01-02T00:00:00.000Z → 2024-01-03T00:00:00.000Z');
    expect(show(latestCompleteInterval(daily, 'UTC', d('2024-01-02T23:59:59.999Z')))).toBe('2024-01-01T00:00:00.000Z → 2024-01-02T00:00:00.000Z');
  });

  it('cron: 6-field crons with seconds', () => {
    expect(show(latestCompleteInterval({ kind: 'cron', expression: '*/10 * * * * *' }, 'UTC', d('2024-01-01T00:00:25Z')))).toBe(
      '2024-01-01T00:00:10.000Z → 2024-01-01T00:00:20.000Z',
    );
  });

  it('cron: New York November day is 25 hours', () => {
    const interval = latestCompleteInterval(daily, 'America/New_York', d('2024-11-04T06:00:00Z'));
    expect(show(interval)).toBe('2024-11-03T04:00:00.000Z → 2024-11-04T05:00:00.000Z');
  });

  it('interval schedules and once', () => {
    const opts = { timezone: 'UTC', anchor: d('2024-01-01T00:05:00Z') };
    expect(show(latestCompleteInterval(every15m, opts, d('2024-01-01T01:07:00Z')))).toBe('2024-01-01T00:50:00.000Z → 2024-01-01T01:05:00.000Z');
    expect(latestCompleteInterval({ kind: 'none' }, 'UTC', d('2024-01-01T00:00:00Z'))).toBeUndefined();
    expect(show(latestCompleteInterval({ kind: 'once' }, opts, d('2024-01-01T00:05:00Z')))).toBe('2024-01-01T00:05:00.000Z → 2024-01-01T00:05:00.000Z');
    expect(latestCompleteInterval({ kind: 'once' }, opts, d('2024-01-01T00:04:59Z'))).toBeUndefined();
  });
});

describe('intervalStartingAtOrBefore / iterateIntervals', () => {
  it('finds the interval containing a point', () => {
    expect(show(intervalStartingAtOrBefore(daily, 'UTC', d('2024-01-05T10:00:00Z')))).toBe('2024-01-05T00:00:00.000Z → 2024-01-06T00:00:00.000Z');
    expect(intervalStartingAtOrBefore({ kind: 'assets', uris: ['s3://x/y'] }, 'UTC', d('2024-01-05T10:00:00Z'))).toBeUndefined();
  });

  it('iterates lazily from a point', () => {
    const out: string[] = [];
    for (const interval of iterateIntervals(daily, 'UTC', d('2024-01-01T06:00:00Z'))) {
      out.push(show(interval) ?? '');
      if (out.length === 2) break;
    }
    expect(out).toEqual(['2024-01-02T00:00:00.000Z → 2024-01-03T00:00:00.000Z', '2024-01-03T00:00:00.000Z → 2024-01-04T00:00:00.000Z']);
  });
});

describe('intervalsInRange', () => {
  it('every interval whose start is in [from, to], both inclusive', () => {
    const range = intervalsInRange(daily, 'UTC', d('2024-01-01T00:00:00Z'), d('2024-01-03T00:00:00Z'));
    expect(range.map(show)).toEqual([
      '2024-01-01T00:00:00.000Z → 2024-01-02T00:00:00.000Z',
      '2024-01-02T00:00:00.000Z → 2024-01-03T00:00:00.000Z',
      '2024-01-03T00:00:00.000Z → 2024-01-04T00:00:00.000Z',
    ]);
    expect(intervalsInRange(daily, 'UTC', d('2024-01-01T06:00:00Z'), d('2024-01-02T06:00:00Z')).map(show)).toEqual([
      '2024-01-02T00:00:00.000Z → 2024-01-03T00:00:00.000Z',
    ]);
  });

  it('is empty for an empty or inverted range and for none/assets', () => {
    expect(intervalsInRange(daily, 'UTC', d('2024-01-01T06:00:00Z'), d('2024-01-01T07:00:00Z'))).toEqual([]);
    expect(intervalsInRange(daily, 'UTC', d('2024-01-05T00:00:00Z'), d('2024-01-01T00:00:00Z'))).toEqual([]);
    expect(intervalsInRange({ kind: 'none' }, 'UTC', d('2024-01-01T00:00:00Z'), d('2024-02-01T00:00:00Z'))).toEqual([]);
  });

  it('once: its single interval when the anchor is in range', () => {
    const opts = { timezone: 'UTC', anchor: d('2024-01-10T00:00:00Z') };
    expect(intervalsInRange({ kind: 'once' }, opts, d('2024-01-01T00:00:00Z'), d('2024-02-01T00:00:00Z'))).toHaveLength(1);
    expect(intervalsInRange({ kind: 'once' }, opts, d('2024-01-11T00:00:00Z'), d('2024-02-01T00:00:00Z'))).toHaveLength(0);
  });

  it(`allows ${MAX_INTERVALS_IN_RANGE} intervals and refuses more with a clear ValidationError`, () => {
    const everySecond: ScheduleSpec = { kind: 'interval', everyMs: 1000 };
    const from = d('2024-01-01T00:00:00Z');
    const atCap = new Date(from.getTime() + (MAX_INTERVALS_IN_RANGE - 1) * 1000);
    expect(intervalsInRange(everySecond, 'UTC', from, atCap)).toHaveLength(MAX_INTERVALS_IN_RANGE);
    const over = new Date(atCap.getTime() + 1000);
    expect(() => intervalsInRange(everySecond, 'UTC', from, over)).toThrow(/more than 100000 intervals/);
    try {
      intervalsInRange(everySecond, 'UTC', from, over);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('to');
    }
  });
});

describe('manualDataInterval', () => {
  it('is the empty interval at the logical date (fresh Date objects)', () => {
    const at = d('2024-05-05T12:34:56Z');
    const interval = manualDataInterval(at);
    expect(interval.start.getTime()).toBe(at.getTime());
    expect(interval.end.getTime()).toBe(at.getTime());
    expect(interval.start).not.toBe(at);
  });
});

describe('intervals — properties', () => {
  const scheduleArb = fc.oneof(
    fc.constantFrom<ScheduleSpec>(
      { kind: 'cron', expression: '0 0 * * *' },
      { kind: 'cron', expression: '30 2 * * *' },
      { kind: 'cron', expression: '15 * * * *' },
      { kind: 'cron', expression: '*/20 * * * *' },
      { kind: 'cron', expression: '0 9 * * 1-5' },
      { kind: 'cron', expression: '0 0 1 * *' },
      { kind: 'cron', expression: '0 */30 * * * *' },
    ),
    fc.integer({ min: 1, max: 48 }).map((n): ScheduleSpec => ({ kind: 'interval', everyMs: n * 30 * 60_000 })),
  );
  const tzArb = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata');
  const timeArb = fc.integer({ min: Date.parse('2024-03-01T00:00:00Z'), max: Date.parse('2024-11-30T00:00:00Z') }).map((ms) => new Date(ms));
  const anchorArb = fc.option(timeArb, { nil: undefined });

  it('nextDataInterval: start >= after, start < end, and it is the interval ending at its end', () => {
    fc.assert(
      fc.property(scheduleArb, tzArb, anchorArb, timeArb, (schedule, timezone, anchor, after) => {
        const opts = { timezone, anchor };
        const next = nextDataInterval(schedule, opts, after);
        expect(next).toBeDefined();
        if (!next) return;
        expect(next.start.getTime()).toBeGreaterThanOrEqual(after.getTime());
        expect(next.start.getTime()).toBeLessThan(next.end.getTime());
        expect(show(latestCompleteInterval(schedule, opts, next.end))).toBe(show(next));
        const before = latestCompleteInterval(schedule, opts, new Date(next.start.getTime()));
        if (before) expect(before.start.getTime()).toBeLessThan(after.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('latestCompleteInterval: end <= now and the following interval is not complete', () => {
    fc.assert(
      fc.property(scheduleArb, tzArb, anchorArb, timeArb, (schedule, timezone, anchor, now) => {
        const opts = { timezone, anchor };
        const latest = latestCompleteInterval(schedule, opts, now);
        expect(latest).toBeDefined();
        if (!latest) return;
        expect(latest.end.getTime()).toBeLessThanOrEqual(now.getTime());
        const following = nextDataInterval(schedule, opts, latest.end);
        expect(following?.start.getTime()).toBe(latest.end.getTime());
        expect(following?.end.getTime()).toBeGreaterThan(now.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('intervalsInRange: contiguous, starts within range, and matches nextDataInterval stepping', () => {
    fc.assert(
      fc.property(scheduleArb, tzArb, anchorArb, timeArb, fc.integer({ min: 0, max: 3 * 86_400_000 }), (schedule, timezone, anchor, from, span) => {
        const opts = { timezone, anchor };
        const to = new Date(from.getTime() + span);
        const range = intervalsInRange(schedule, opts, from, to);
        const stepped: DataInterval[] = [];
        for (let next = nextDataInterval(schedule, opts, from); next && next.start <= to; next = nextDataInterval(schedule, opts, new Date(next.start.getTime() + 1))) {
          stepped.push(next);
        }
        expect(range.map(show)).toEqual(stepped.map(show));
        for (const [i, interval] of range.entries()) {
          expect(interval.start.getTime()).toBeGreaterThanOrEqual(from.getTime());
          expect(interval.start.getTime()).toBeLessThanOrEqual(to.getTime());
          const nextOne = range[i + 1];
          if (nextOne) expect(nextOne.start.getTime()).toBe(interval.end.getTime());
        }
      }),
      { numRuns: 60 },
    );
  });
});

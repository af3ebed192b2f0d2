import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  assertTimezone,
  cronTickAtOrAfter,
  cronTickAtOrBefore,
  cronTicksFrom,
  parseCron,
  timezoneOffsetMs,
} from '../../src/scheduling/cron.js';

const HOUR = 3_600_000;

function ticks(expression: string, timezone: string, fromIso: string, count: number): string[] {
  const out: string[] = [];
  for (const tick of cronTicksFrom(parseCron(expression), timezone, Date.parse(fromIso))) {
    out.push(new Date(tick).toISOString());
    if (out.length >= count) break;
  }
  return out;
}

function expectValidationError(fn: () => unknown, field: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    if (message) expect((error as Error).message).toMatch(message);
    return;
  }
  expect.fail('expected a ValidationError');
}

describe('parseCron', () => {
  it('expands presets and normalises whitespace', () => {
    expect(parseCron('@daily').expression).toBe('0 0 * * *');
    expect(parseCron('@hourly').expression).toBe('0 * * * *');
    expect(parseCron('  */5   *  * * * ').expression).toBe('*/5 * * * *');
    expect(parseCron('0 30 9 * * *').expression).toBe('0 30 9 * * *');
  });

  it('knows whether the cron fires in every hour', () => {
    expect(parseCron('15 * * * *').everyHour).toBe(true);
    expect(parseCron('*/10 0-23 * * *').everyHour).toBe(true);
    expect(parseCron('15 */2 * * *').everyHour).toBe(false);
    expect(parseCron('@daily').everyHour).toBe(false);
  });

  it.each([
    ['* * * *', /5 or 6 fields, has 4/],
    ['* * * * * * *', /5 or 6 fields, has 7/],
    ['', /5 or 6 fields, has 0/],
    ['61 * * * *', /invalid cron expression/],
    ['0 25 * * *', /invalid cron expression/],
    ['foo bar * * *', /invalid cron expression/],
    ['0 0 30 2 *', /cron expression/],
    ['H * * * *', /'H'/],
    ['H(0-10) * * * *', /'H'/],
    ['0 0 * * H#3', /'H'/],
    ['@sometimes', /unknown cron preset/],
  ])('rejects %j with a ValidationError on `schedule`', (expression, message) => {
    expectValidationError(() => parseCron(expression), 'schedule', message);
  });

  it('accepts names that contain the letter H', () => {
    expect(parseCron('0 9 * * THU').expression).toBe('0 9 * * THU');
    expect(parseCron('0 9 1 MAR *').expression).toBe('0 9 1 MAR *');
  });
});

describe('timezones', () => {
  it('assertTimezone accepts IANA names and rejects others on `timezone`', () => {
    expect(() => assertTimezone('UTC')).not.toThrow();
    expect(() => assertTimezone('Europe/Berlin')).not.toThrow();
    expectValidationError(() => assertTimezone('Mars/Olympus_Mons'), 'timezone', /unknown timezone/);
    expectValidationError(() => assertTimezone(''), 'timezone');
  });

  it('timezoneOffsetMs follows DST', () => {
    expect(timezoneOffsetMs('UTC', Date.parse('2024-07-01T00:00:00Z'))).toBe(0);
    expect(timezoneOffsetMs('Europe/Berlin', Date.parse('2024-01-15T12:00:00Z'))).toBe(1 * HOUR);
    expect(timezoneOffsetMs('Europe/Berlin', Date.parse('2024-07-15T12:00:00Z'))).toBe(2 * HOUR);
    expect(timezoneOffsetMs('America/New_York', Date.parse('2024-01-15T12:00:00Z'))).toBe(-5 * HOUR);
    expect(timezoneOffsetMs('America/New_York', Date.parse('2024-07-15T12:00:00.999Z'))).toBe(-4 * HOUR);
    expect(timezoneOffsetMs('Asia/Kolkata', Date.parse('2024-07-15T12:00:00Z'))).toBe(5.5 * HOUR);
  });
});

describe('cron ticks in a timezone', () => {
  it('evaluates the expression in the given timezone', () => {
    expect(ticks('0 0 * * *', 'UTC', '2024-01-01T00:00:00Z', 2)).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
    expect(ticks('0 0 * * *', 'Europe/Berlin', '2024-01-01T00:00:00Z', 2)).toEqual(['2024-01-01T23:00:00.000Z', '2024-01-02T23:00:00.000Z']);
    expect(ticks('0 9 * * *', 'Asia/Kolkata', '2024-01-01T00:00:00Z', 1)).toEqual(['2024-01-01T03:30:00.000Z']);
  });

  it('includes a tick exactly at the start point', () => {
    expect(cronTickAtOrAfter(parseCron('0 0 * * *'), 'UTC', Date.parse('2024-01-01T00:00:00Z'))).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(cronTickAtOrAfter(parseCron('0 0 * * *'), 'UTC', Date.parse('2024-01-01T00:00:00.001Z'))).toBe(Date.parse('2024-01-02T00:00:00Z'));
    expect(cronTickAtOrBefore(parseCron('0 0 * * *'), 'UTC', Date.parse('2024-01-01T00:00:00Z'))).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(cronTickAtOrBefore(parseCron('0 0 * * *'), 'UTC', Date.parse('2023-12-31T23:59:59.999Z'))).toBe(Date.parse('2023-12-31T00:00:00Z'));
  });

  it('supports 6-field expressions with seconds', () => {
    expect(ticks('*/20 * * * * *', 'UTC', '2024-01-01T00:00:00.500Z', 4)).toEqual([
      '2024-01-01T00:00:20.000Z',
      '2024-01-01T00:00:40.000Z',
      '2024-01-01T00:01:00.000Z',
      '2024-01-01T00:01:20.000Z',
    ]);
    expect(ticks('30 0 9 * * *', 'Europe/Berlin', '2024-06-01T00:00:00Z', 1)).toEqual(['2024-06-01T07:00:30.000Z']);
    expect(cronTickAtOrBefore(parseCron('*/20 * * * * *'), 'UTC', Date.parse('2024-01-01T00:00:59Z'))).toBe(Date.parse('2024-01-01T00:00:40Z'));
  });

  it('finds far previous ticks (yearly, leap day)', () => {
    expect(cronTickAtOrBefore(parseCron('@yearly'), 'UTC', Date.parse('2024-06-01T00:00:00Z'))).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(cronTickAtOrBefore(parseCron('0 0 29 2 *'), 'UTC', Date.parse('2027-06-01T00:00:00Z'))).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });

  describe('Europe/Berlin DST', () => {
    it('spring forward: a daily 02:30 (which does not exist on 2024-03-31) fires at 03:30 CEST that day', () => {
      expect(ticks('30 2 * * *', 'Europe/Berlin', '2024-03-29T12:00:00Z', 4)).toEqual([
        '2024-03-30T01:30:00.000Z', // 02:30 CET
        '2024-03-31T01:30:00.000Z', // 03:30 CEST (02:30 skipped by the clock change)
        '2024-04-01T00:30:00.000Z', // 02:30 CEST
        '2024-04-02T00:30:00.000Z',
      ]);
    });

    it('the shifted tick is found from any starting point (no start-dependent sequence)', () => {
      for (const from of ['2024-03-31T00:59:00Z', '2024-03-31T01:00:00Z', '2024-03-31T01:05:00Z', '2024-03-31T01:29:59Z']) {
        expect(ticks('30 2 * * *', 'Europe/Berlin', from, 1)).toEqual(['2024-03-31T01:30:00.000Z']);
      }
      expect(cronTickAtOrBefore(parseCron('30 2 * * *'), 'Europe/Berlin', Date.parse('2024-03-31T12:00:00Z'))).toBe(Date.parse('2024-03-31T01:30:00Z'));
    });

    it('fall back: a daily 02:30 (which happens twice on 2024-10-27) fires once, at the first occurrence', () => {
      expect(ticks('30 2 * * *', 'Europe/Berlin', '2024-10-26T00:00:00Z', 3)).toEqual([
        '2024-10-26T00:30:00.000Z',
        '2024-10-27T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not fire
        '2024-10-28T01:30:00.000Z',
      ]);
      expect(ticks('30 2 * * *', 'Europe/Berlin', '2024-10-27T01:00:00Z', 1)).toEqual(['2024-10-28T01:30:00.000Z']);
    });

    it('hourly crons keep one-hour spacing through both changes (the repeated hour fires twice)', () => {
      const fall = ticks('15 * * * *', 'Europe/Berlin', '2024-10-26T22:00:00Z', 6);
      expect(fall).toEqual([
        '2024-10-26T22:15:00.000Z',
        '2024-10-26T23:15:00.000Z',
        '2024-10-27T00:15:00.000Z', // 02:15 CEST
        '2024-10-27T01:15:00.000Z', // 02:15 CET
        '2024-10-27T02:15:00.000Z',
        '2024-10-27T03:15:00.000Z',
      ]);
      const spring = ticks('15 * * * *', 'Europe/Berlin', '2024-03-30T23:00:00Z', 4);
      expect(spring).toEqual([
        '2024-03-30T23:15:00.000Z', // 00:15 CET
        '2024-03-31T00:15:00.000Z', // 01:15 CET
        '2024-03-31T01:15:00.000Z', // 03:15 CEST (02:15 does not exist)
        '2024-03-31T02:15:00.000Z',
      ]);
    });

    it('a 30-minute cron does not duplicate or reorder ticks around the spring gap', () => {
      const spring = ticks('*/30 * * * *', 'Europe/Berlin', '2024-03-31T00:00:00Z', 5);
      expect(spring).toEqual([
        '2024-03-31T00:00:00.000Z',
        '2024-03-31T00:30:00.000Z',
        '2024-03-31T01:00:00.000Z',
        '2024-03-31T01:30:00.000Z',
        '2024-03-31T02:00:00.000Z',
      ]);
    });
  });

  describe('America/New_York DST', () => {
    it('a daily midnight cron gives a 23-hour day in March and a 25-hour day in November', () => {
      const march = ticks('0 0 * * *', 'America/New_York', '2024-03-09T00:00:00Z', 3).map(Date.parse);
      expect(march.map((t) => new Date(t).toISOString())).toEqual(['2024-03-09T05:00:00.000Z', '2024-03-10T05:00:00.000Z', '2024-03-11T04:00:00.000Z']);
      expect(((march[2] as number) - (march[1] as number)) / HOUR).toBe(23);
      const november = ticks('0 0 * * *', 'America/New_York', '2024-11-02T12:00:00Z', 2).map(Date.parse);
      expect(((november[1] as number) - (november[0] as number)) / HOUR).toBe(25);
    });

    it('a daily 01:30 fires once on the day 01:30 happens twice', () => {
      expect(ticks('30 1 * * *', 'America/New_York', '2024-11-02T12:00:00Z', 2)).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z']);
    });

    it('a daily 02:30 fires at 03:30 EDT on the day 02:30 does not exist', () => {
      expect(ticks('30 2 * * *', 'America/New_York', '2024-03-10T00:00:00Z', 2)).toEqual(['2024-03-10T07:30:00.000Z', '2024-03-11T06:30:00.000Z']);
      expect(ticks('30 2 * * *', 'America/New_York', '2024-03-10T07:05:00Z', 1)).toEqual(['2024-03-10T07:30:00.000Z']);
    });
  });
});

describe('cron ticks — properties', () => {
  const DST_POINTS = [
    ['Europe/Berlin', '2024-03-31T01:00:00Z'],
    ['Europe/Berlin', '2024-10-27T01:00:00Z'],
    ['America/New_York', '2024-03-10T07:00:00Z'],
    ['America/New_York', '2024-11-03T06:00:00Z'],
    ['Australia/Lord_Howe', '2024-04-06T15:00:00Z'],
    ['America/Santiago', '2024-09-08T04:00:00Z'],
    ['UTC', '2024-06-01T00:00:00Z'],
  ] as const;
  const minuteArb = fc.oneof(fc.constantFrom('0', '15', '30', '*/20', '*/30', '0,30'), fc.integer({ min: 0, max: 59 }).map(String));
  const hourArb = fc.oneof(
    fc.constantFrom('*', '*/2', '1-3', '0,1,2,3', '2'),
    fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 3 }).map((hs) => hs.sort((a, b) => a - b).join(',')),
  );
  const cronArb = fc.tuple(minuteArb, hourArb, fc.constantFrom('*', '*', '0', '1-5')).map(([m, h, dow]) => `${m} ${h} * * ${dow}`);
  const pointArb = fc.tuple(fc.constantFrom(...DST_POINTS), fc.integer({ min: -30 * HOUR, max: 30 * HOUR }), fc.integer({ min: 0, max: 10 * HOUR }));

  it('the ticks after a later point are a suffix of the ticks after an earlier point', () => {
    fc.assert(
      fc.property(cronArb, pointArb, (expression, [[timezone, around], shift, gap]) => {
        const cron = parseCron(expression);
        const early = Date.parse(around) + shift;
        const late = early + gap;
        const fromEarly: number[] = [];
        for (const tick of cronTicksFrom(cron, timezone, early)) {
          if (fromEarly.length > 400) break;
          fromEarly.push(tick);
          if (tick > late + 30 * HOUR) break;
        }
        const expected = fromEarly.filter((t) => t >= late).slice(0, 5);
        const actual: number[] = [];
        for (const tick of cronTicksFrom(cron, timezone, late)) {
          actual.push(tick);
          if (actual.length >= expected.length) break;
        }
        expect(actual).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('ticks strictly increase, and atOrBefore / atOrAfter agree with the sequence', () => {
    fc.assert(
      fc.property(cronArb, pointArb, (expression, [[timezone, around], shift]) => {
        const cron = parseCron(expression);
        const at = Date.parse(around) + shift;
        const seq: number[] = [];
        for (const tick of cronTicksFrom(cron, timezone, at - 8 * 24 * HOUR)) {
          seq.push(tick);
          if (tick > at) break;
        }
        for (let i = 1; i < seq.length; i++) expect(seq[i] as number).toBeGreaterThan(seq[i - 1] as number);
        expect(cronTickAtOrBefore(cron, timezone, at)).toBe(seq.filter((t) => t <= at).at(-1));
        expect(cronTickAtOrAfter(cron, timezone, at)).toBe(seq.find((t) => t >= at));
      }),
      { numRuns: 150 },
    );
  });
});

import type { ScheduleSpec } from '../authoring/schedule.js';
import { ValidationError } from '../errors.js';
import { assertTimezone, cronTickAtOrBefore, cronTicksFrom, parseCron } from './cron.js';

export { describeSchedule } from './describe-schedule.js';

/**
 * A data interval `[start, end)`: the slice of time a run processes. For cron and interval schedules the
 * start and end are consecutive schedule ticks; the run's logical date is `start`.
 */
export interface DataInterval {
  start: Date;
  end: Date;
}

/** How to evaluate a schedule. */
export interface ScheduleOptions {
  /** IANA timezone the cron expression is evaluated in (ignored by interval schedules). */
  timezone: string;
  /**
   * Where `{ kind: 'interval' }` ticks are anchored (ticks are `anchor + k × everyMs` for every integer k),
   * normally the DAG's `start`; the Unix epoch when omitted. For `{ kind: 'once' }` it is the single tick
   * (the DAG's start); without it a `once` schedule has no intervals. Ignored by cron schedules.
   */
  anchor?: Date | undefined;
}

/** Backfills (and {@link intervalsInRange}) refuse ranges with more intervals than this. */
export const MAX_INTERVALS_IN_RANGE = 100_000;

/** A schedule's increasing sequence of ticks, the boundaries of its data intervals. */
interface TickSeries {
  /** Ticks at or after `fromMs`, increasing. */
  from(fromMs: number): Iterable<number>;
  /** The last tick at or before `atMs`. */
  atOrBefore(atMs: number): number | undefined;
}

function normaliseOptions(options: ScheduleOptions | string): ScheduleOptions {
  return typeof options === 'string' ? { timezone: options } : options;
}

function ticksOf(schedule: ScheduleSpec, options: ScheduleOptions): TickSeries | undefined {
  switch (schedule.kind) {
    case 'cron': {
      assertTimezone(options.timezone);
      const cron = parseCron(schedule.expression);
      return {
        from: (fromMs) => cronTicksFrom(cron, options.timezone, fromMs),
        atOrBefore: (atMs) => cronTickAtOrBefore(cron, options.timezone, atMs),
      };
    }
    case 'interval': {
      const every = schedule.everyMs;
      if (!Number.isFinite(every) || every <= 0) throw new ValidationError(`schedule interval must be a positive duration, got ${every}ms`, 'schedule');
      const anchor = options.anchor?.getTime() ?? 0;
      return {
        *from(fromMs) {
          for (let tick = anchor + Math.ceil((fromMs - anchor) / every) * every; ; tick += every) yield tick;
        },
        atOrBefore: (atMs) => anchor + Math.floor((atMs - anchor) / every) * every,
      };
    }
    default:
      return undefined;
  }
}

/** The single `once` interval `[anchor, anchor]`, when an anchor was given. */
function onceInterval(schedule: ScheduleSpec, options: ScheduleOptions): DataInterval | undefined {
  if (schedule.kind !== 'once' || !options.anchor) return undefined;
  return { start: new Date(options.anchor.getTime()), end: new Date(options.anchor.getTime()) };
}

/** The first two ticks at or after `fromMs`, as an interval. */
function firstIntervalFrom(ticks: TickSeries, fromMs: number): DataInterval | undefined {
  const iterator = ticks.from(fromMs)[Symbol.iterator]();
  const t0 = iterator.next();
  if (t0.done) return undefined;
  const t1 = iterator.next();
  if (t1.done) return undefined;
  return { start: new Date(t0.value), end: new Date(t1.value) };
}

/**
 * Throws a {@link ValidationError} (field `schedule`) unless `expression` is a valid 5- or 6-field cron
 * expression or preset that fires at least once, and (field `timezone`) unless `timezone` is a known IANA
 * zone.
 */
export function validateCronExpression(expression: string, timezone: string): void {
  assertTimezone(timezone);
  parseCron(expression);
}

/**
 * The first data interval whose start is at or after `after`: for cron, consecutive ticks `t0 < t1` with
 * `t0 >= after`; for `{ kind: 'interval' }`, `[anchor + k·every, anchor + (k+1)·every)` with the smallest
 * such start. For `once`, `[anchor, anchor]` if `anchor >= after`. Undefined for `none` and `assets`
 * schedules (they have no intervals).
 *
 * @param options the timezone (a plain string is accepted as `{ timezone }`) and the interval anchor
 * @throws ValidationError for an invalid cron expression or timezone
 */
export function nextDataInterval(schedule: ScheduleSpec, options: ScheduleOptions | string, after: Date): DataInterval | undefined {
  const opts = normaliseOptions(options);
  const once = onceInterval(schedule, opts);
  if (once) return once.start.getTime() >= after.getTime() ? once : undefined;
  const ticks = ticksOf(schedule, opts);
  return ticks ? firstIntervalFrom(ticks, after.getTime()) : undefined;
}

/**
 * The most recent complete data interval: the latest one whose end is at or before `now` (its run is due).
 * For `once`, `[anchor, anchor]` once `anchor <= now`. Undefined for `none`/`assets`, or when the schedule
 * has not ticked twice by `now`.
 *
 * @param options the timezone (a plain string is accepted as `{ timezone }`) and the interval anchor
 */
export function latestCompleteInterval(schedule: ScheduleSpec, options: ScheduleOptions | string, now: Date): DataInterval | undefined {
  const opts = normaliseOptions(options);
  const once = onceInterval(schedule, opts);
  if (once) return once.end.getTime() <= now.getTime() ? once : undefined;
  const ticks = ticksOf(schedule, opts);
  if (!ticks) return undefined;
  const end = ticks.atOrBefore(now.getTime());
  if (end === undefined) return undefined;
  const start = ticks.atOrBefore(end - 1);
  if (start === undefined) return undefined;
  return { start: new Date(start), end: new Date(end) };
}

/**
 * The data intervals whose start is at or after `from`, oldest first, lazily (the sequence of a cron or
 * interval schedule is endless, so stop iterating when done). `once` yields `[anchor, anchor]` if the
 * anchor is at or after `from`; `none`/`assets` yield nothing.
 *
 * @throws ValidationError for an invalid cron expression or timezone (when iteration starts)
 */
export function* iterateIntervals(schedule: ScheduleSpec, options: ScheduleOptions | string, from: Date): Generator<DataInterval, void, undefined> {
  const opts = normaliseOptions(options);
  if (schedule.kind === 'once') {
    const once = onceInterval(schedule, opts);
    if (once && once.start.getTime() >= from.getTime()) yield once;
    return;
  }
  const ticks = ticksOf(schedule, opts);
  if (!ticks) return;
  let previous: number | undefined;
  for (const tick of ticks.from(from.getTime())) {
    if (previous !== undefined) yield { start: new Date(previous), end: new Date(tick) };
    previous = tick;
  }
}

/**
 * The interval that starts at the last schedule tick at or before `at` (it contains `at` unless `at` is
 * past the schedule's last tick). For `once`, `[anchor, anchor]` if `anchor <= at`. Undefined for
 * `none`/`assets` or when the schedule has no tick at or before `at`.
 */
export function intervalStartingAtOrBefore(schedule: ScheduleSpec, options: ScheduleOptions | string, at: Date): DataInterval | undefined {
  const opts = normaliseOptions(options);
  const once = onceInterval(schedule, opts);
  if (once) return once.start.getTime() <= at.getTime() ? once : undefined;
  const ticks = ticksOf(schedule, opts);
  const start = ticks?.atOrBefore(at.getTime());
  if (!ticks || start === undefined) return undefined;
  return firstIntervalFrom(ticks, start);
}

/**
 * Every data interval whose start lies in `[from, to]` (both inclusive), oldest first — the runs a backfill
 * over that range creates. The last interval may end after `to`. `once` yields its single interval if the
 * anchor is in range; `none`/`assets` yield nothing.
 *
 * @throws ValidationError (field `to`) when the range holds more than {@link MAX_INTERVALS_IN_RANGE}
 *   intervals, or for an invalid cron expression or timezone
 */
export function intervalsInRange(schedule: ScheduleSpec, options: ScheduleOptions | string, from: Date, to: Date): DataInterval[] {
  const out: DataInterval[] = [];
  if (to.getTime() < from.getTime()) return out;
  for (const interval of iterateIntervals(schedule, options, from)) {
    if (interval.start.getTime() > to.getTime()) break;
    if (out.length >= MAX_INTERVALS_IN_RANGE) {
      throw new ValidationError(
        `the range ${from.toISOString()} .. ${to.toISOString()} holds more than ${MAX_INTERVALS_IN_RANGE} intervals; narrow it`,
        'to',
      );
    }
    out.push(interval);
  }
  return out;
}

/**
 * The data interval of a manual (or otherwise unscheduled) run: `[logicalDate, logicalDate]`, an empty
 * interval at the logical date. We chose this over inferring the enclosing schedule interval so that a
 * manual run never claims to cover data a scheduled run will also cover.
 */
export function manualDataInterval(logicalDate: Date): DataInterval {
  return { start: new Date(logicalDate.getTime()), end: new Date(logicalDate.getTime()) };
}

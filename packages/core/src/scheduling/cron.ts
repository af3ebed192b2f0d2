import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { CRON_PRESETS } from '../authoring/schedule.js';
import { ValidationError } from '../errors.js';

/*
 * Cron evaluation in an IANA timezone.
 *
 * cron-parser's own `tz` iteration is start-dependent around DST changes (iterating from just after a
 * spring-forward gap skips the shifted tick that iterating from the day before produces, and a repeated
 * fall-back hour is fired or not depending on where you start). A scheduler that asks "first tick after X"
 * and "last tick before Y" from many different points needs one fixed sequence, so we only let cron-parser
 * match the fields against wall-clock time (iterating in UTC, which has no DST) and map each wall-clock
 * tick to instants ourselves, with explicit rules:
 *
 * - a wall-clock time inside a spring-forward gap fires at the instant the gap length later (02:30 in a gap
 *   from 02:00 to 03:00 fires at 03:30 local); two ticks that land on the same instant fire once;
 * - a wall-clock time repeated by a fall-back fires once, at its first occurrence — unless the cron fires
 *   in every hour of the day (hour field `*`), in which case it fires at both occurrences so hourly and
 *   sub-hourly schedules keep their spacing in real time (Airflow does the same).
 *
 * Assumes at most one UTC-offset change within any 36 hours, true of every zone in use today.
 */

const HOUR_MS = 3_600_000;
const OFFSET_PROBE_MS = 18 * HOUR_MS;
const MAX_WINDOW_MS = 400 * 366 * 24 * HOUR_MS;

/** A cron expression checked by {@link parseCron}, ready to iterate. */
export interface ParsedCron {
  /** The expression with presets expanded and whitespace normalised (5 or 6 fields). */
  readonly expression: string;
  /** True when the hour field matches every hour (repeated fall-back hours then fire twice). */
  readonly everyHour: boolean;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/**
 * Throws a {@link ValidationError} (field `timezone`) unless `timezone` is an IANA zone name this runtime
 * knows, such as `UTC`, `Europe/Berlin` or `America/New_York`.
 */
export function assertTimezone(timezone: string): void {
  try {
    if (timezone.trim() === '') throw new RangeError('empty');
    formatterFor(timezone);
  } catch (error) {
    throw new ValidationError(`unknown timezone '${timezone}' (use an IANA name such as 'UTC' or 'Europe/Berlin')`, 'timezone', undefined, {
      cause: error,
    });
  }
}

/** The UTC offset of `timezone` at instant `ms`, in milliseconds (local wall clock minus UTC). */
export function timezoneOffsetMs(timezone: string, ms: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  const year = Number(parts.year) * (parts.era === 'BC' || parts.era === 'B' ? -1 : 1);
  const local = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * Checks and normalises a cron expression: 5 fields (minute first) or 6 (seconds first), or one of the
 * presets in `CRON_PRESETS`. Jenkins-style `H` fields are rejected because they are random, and an
 * expression that never fires (e.g. `0 0 30 2 *`) is rejected. Throws a {@link ValidationError} naming the
 * field `schedule`.
 */
export function parseCron(expression: string): ParsedCron {
  const text = expression.trim();
  const expanded = text.startsWith('@') ? CRON_PRESETS[text] : text;
  if (expanded === undefined) {
    throw new ValidationError(`unknown cron preset '${text}' (known: ${Object.keys(CRON_PRESETS).join(', ')})`, 'schedule');
  }
  const fields = expanded.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ValidationError(`cron expression '${text}' must have 5 or 6 fields, has ${fields.length}`, 'schedule');
  }
  if (fields.some((f) => /(^|,)H($|[(/#,])/i.test(f))) {
    throw new ValidationError(`cron expression '${text}' uses 'H' (a random value); write the value explicitly`, 'schedule');
  }
  const normalised = fields.join(' ');
  let parsed: CronExpression;
  try {
    parsed = CronExpressionParser.parse(normalised, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) });
  } catch (error) {
    throw new ValidationError(`invalid cron expression '${text}': ${(error as Error).message}`, 'schedule', undefined, { cause: error });
  }
  if (readWall(parsed) === undefined) throw new ValidationError(`cron expression '${text}' never fires`, 'schedule');
  return { expression: normalised, everyHour: parsed.fields.hour.values.length === 24 };
}

/** The next wall-clock tick (as a UTC-encoded millisecond value), or undefined when the sequence ends. */
function readWall(iterator: CronExpression): number | undefined {
  try {
    return iterator.next().getTime();
  } catch {
    return undefined;
  }
}

function wallIterator(cron: ParsedCron, fromWallMs: number): CronExpression {
  return CronExpressionParser.parse(cron.expression, { tz: 'UTC', currentDate: new Date(fromWallMs - 1) });
}

/** The instants at which wall-clock time `wall` happens in `timezone`, per the gap/fold rules above. */
function wallToInstants(timezone: string, wall: number, repeatFolds: boolean): { instants: number[]; low: number; high: number } {
  const before = timezoneOffsetMs(timezone, wall - OFFSET_PROBE_MS);
  const after = timezoneOffsetMs(timezone, wall + OFFSET_PROBE_MS);
  const low = Math.min(before, after);
  const high = Math.max(before, after);
  if (before === after) return { instants: [wall - before], low, high };
  const valid = [...new Set([wall - before, wall - after])]
    .filter((x) => timezoneOffsetMs(timezone, x) === wall - x)
    .sort((a, b) => a - b);
  if (valid.length === 0) return { instants: [wall - before], low, high };
  return { instants: repeatFolds ? valid : valid.slice(0, 1), low, high };
}

/**
 * Every tick of `cron` in `timezone` at or after instant `fromMs`, in increasing order (milliseconds since
 * the epoch), per the DST rules described in this module. The sequence is the same whatever `fromMs` is:
 * the ticks at or after a later point are a suffix of the ticks at or after an earlier one.
 */
export function* cronTicksFrom(cron: ParsedCron, timezone: string, fromMs: number): Generator<number, void, undefined> {
  const nearOffsets = [fromMs - OFFSET_PROBE_MS, fromMs, fromMs + OFFSET_PROBE_MS].map((ms) => timezoneOffsetMs(timezone, ms));
  const iterator = wallIterator(cron, fromMs + Math.min(...nearOffsets));
  const pending: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (;;) {
    const wall = readWall(iterator);
    if (wall === undefined) {
      yield* pending;
      return;
    }
    const { instants, low, high } = wallToInstants(timezone, wall, cron.everyHour);
    for (const x of instants) {
      if (x < fromMs || x <= last || pending.includes(x)) continue;
      pending.push(x);
      pending.sort((a, b) => a - b);
    }
    // Later wall ticks map to instants above this bound, so everything at or below it is final.
    const settled = wall - high - (high - low);
    while (pending.length > 0 && (pending[0] as number) <= settled) {
      last = pending.shift() as number;
      yield last;
    }
  }
}

/** The first tick of `cron` at or after `fromMs`, or undefined when there is none. */
export function cronTickAtOrAfter(cron: ParsedCron, timezone: string, fromMs: number): number | undefined {
  for (const tick of cronTicksFrom(cron, timezone, fromMs)) return tick;
  return undefined;
}

/** The last tick in `[fromMs, atMs]`, if any. */
function lastTickBetween(cron: ParsedCron, timezone: string, fromMs: number, atMs: number): number | undefined {
  let last: number | undefined;
  for (const tick of cronTicksFrom(cron, timezone, fromMs)) {
    if (tick > atMs) break;
    last = tick;
  }
  return last;
}

/** A lower bound for the last tick before `atMs`, from cron-parser's backwards search over wall-clock time. */
function previousTickHint(cron: ParsedCron, timezone: string, atMs: number): number | undefined {
  const offsets = [atMs - OFFSET_PROBE_MS, atMs, atMs + OFFSET_PROBE_MS].map((ms) => timezoneOffsetMs(timezone, ms));
  try {
    const iterator = CronExpressionParser.parse(cron.expression, { tz: 'UTC', currentDate: new Date(atMs + Math.max(...offsets) + 1) });
    const wall = iterator.prev().getTime();
    const near = [wall - OFFSET_PROBE_MS, wall + OFFSET_PROBE_MS].map((ms) => timezoneOffsetMs(timezone, ms));
    return wall - Math.max(...near);
  } catch {
    return undefined;
  }
}

/** The last tick of `cron` at or before `atMs`, or undefined when there is none (in the last 400 years). */
export function cronTickAtOrBefore(cron: ParsedCron, timezone: string, atMs: number): number | undefined {
  const hint = previousTickHint(cron, timezone, atMs);
  const hinted = hint === undefined || hint > atMs ? undefined : lastTickBetween(cron, timezone, hint, atMs);
  if (hinted !== undefined) return hinted;
  for (let window = 60_000; window <= MAX_WINDOW_MS; window *= 8) {
    const last = lastTickBetween(cron, timezone, atMs - window, atMs);
    if (last !== undefined) return last;
  }
  return undefined;
}

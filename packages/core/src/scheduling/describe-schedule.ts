import { CRON_PRESETS, type ScheduleSpec } from '../authoring/schedule.js';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_ALIASES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_ALIASES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

const UNITS: readonly [number, string][] = [
  [604_800_000, 'week'],
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
  [1, 'millisecond'],
];

const isNumber = (field: string): boolean => /^\d+$/.test(field);
const isNumberList = (field: string): boolean => /^\d+(,\d+)*$/.test(field);
const stepOf = (field: string): number | undefined => {
  const match = /^\*\/(\d+)$/.exec(field);
  return match ? Number(match[1]) : undefined;
};
const pad = (n: number): string => String(n).padStart(2, '0');

/** "a", "a and b", "a, b and c". */
function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** `every 15 minutes`, `every hour`, `every 2 days` for a fixed interval in milliseconds. */
function describeEvery(everyMs: number): string {
  for (const [size, unit] of UNITS) {
    if (everyMs >= size && everyMs % size === 0) {
      const count = everyMs / size;
      return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
    }
  }
  return `every ${everyMs} milliseconds`;
}

function dayIndex(token: string): number | undefined {
  const alias = DAY_ALIASES.indexOf(token.toUpperCase());
  if (alias >= 0) return alias;
  if (!isNumber(token) || Number(token) > 7) return undefined;
  return Number(token) % 7;
}

/** Words for a day-of-week field: `every Monday`, `every weekday`, `every Monday and Thursday`. */
function describeDays(field: string): string | undefined {
  const range = /^(\w+)-(\w+)$/.exec(field);
  if (range) {
    const from = dayIndex(range[1] ?? '');
    const to = dayIndex(range[2] ?? '');
    if (from === undefined || to === undefined) return undefined;
    if (from === 1 && to === 5) return 'every weekday';
    return `every ${DAY_NAMES[from]} to ${DAY_NAMES[to]}`;
  }
  const days = field.split(',').map(dayIndex);
  if (days.some((d) => d === undefined)) return undefined;
  const sorted = [...new Set(days as number[])].sort((a, b) => a - b);
  if (sorted.join(',') === '0,6') return 'every Saturday and Sunday';
  return `every ${joinWords(sorted.map((d) => DAY_NAMES[d] ?? ''))}`;
}

function monthIndex(token: string): number | undefined {
  const alias = MONTH_ALIASES.indexOf(token.toUpperCase());
  if (alias >= 0) return alias;
  return isNumber(token) && Number(token) >= 1 && Number(token) <= 12 ? Number(token) - 1 : undefined;
}

/** Words for the date part of a daily-or-slower cron, or undefined for shapes we do not describe. */
function describeDate(dom: string, month: string, dow: string): string | undefined {
  if (dom === '*' && month === '*' && dow === '*') return 'every day';
  if (dom === '*' && month === '*') return describeDays(dow);
  if (dow !== '*') return undefined;
  if (month === '*') {
    if (dom === 'L') return 'on the last day of every month';
    if (!isNumberList(dom)) return undefined;
    return `on the ${joinWords(dom.split(',').map((d) => ordinal(Number(d))))} of every month`;
  }
  const m = monthIndex(month);
  if (m === undefined || !isNumber(dom)) return undefined;
  return `every year on ${MONTH_NAMES[m]} ${Number(dom)}`;
}

/** Words for a cron expression, or undefined when the shape is not one we describe. */
function describeCron(expression: string, timezone: string): string | undefined {
  const text = expression.trim();
  const fields = (text.startsWith('@') ? (CRON_PRESETS[text] ?? text) : text).split(/\s+/);
  let second = '0';
  if (fields.length === 6) second = fields.shift() ?? '0';
  if (fields.length !== 5) return undefined;
  const [minute = '', hour = '', dom = '', month = '', dow = ''] = fields;
  const restIsAny = dom === '*' && month === '*' && dow === '*';

  if (second !== '0') {
    if (minute === '*' && hour === '*' && restIsAny) {
      if (second === '*') return 'every second';
      const step = stepOf(second);
      return step === undefined ? undefined : describeEvery(step * 1000);
    }
    if (!isNumber(second)) return undefined;
  }
  if (second === '0' && restIsAny && hour === '*') {
    if (minute === '*') return 'every minute';
    const step = stepOf(minute);
    if (step !== undefined) return describeEvery(step * 60_000);
    if (minute === '0') return 'every hour';
    if (isNumberList(minute)) return `at ${joinWords(minute.split(','))} minutes past every hour`;
    return undefined;
  }
  if (!isNumber(minute)) return undefined;
  const hourStep = stepOf(hour);
  if (hourStep !== undefined && restIsAny && second === '0') {
    const every = describeEvery(hourStep * 3_600_000);
    return minute === '0' ? every : `${every} at ${minute} minutes past the hour`;
  }
  if (!isNumberList(hour)) return undefined;
  const date = describeDate(dom, month, dow);
  if (date === undefined) return undefined;
  const secondsSuffix = second === '0' ? '' : `:${pad(Number(second))}`;
  const times = hour.split(',').map((h) => `${pad(Number(h))}:${pad(Number(minute))}${secondsSuffix}`);
  return `${date} at ${joinWords(times)} (${timezone})`;
}

/**
 * A short human description of a schedule, for listings and the UI: `every day at 00:00 (UTC)`,
 * `every 15 minutes`, `at 30 minutes past every hour`, `every weekday at 09:00 (Europe/Berlin)`,
 * `on the 1st of every month at 06:00 (UTC)`, `on assets s3://bucket/a, s3://bucket/b`, `manual only`,
 * `once`. Cron shapes it does not recognise fall back to `cron '<expr>' (<timezone>)`. Never throws.
 */
export function describeSchedule(schedule: ScheduleSpec, timezone: string): string {
  switch (schedule.kind) {
    case 'none':
      return 'manual only';
    case 'once':
      return 'once';
    case 'assets':
      return `on assets ${schedule.uris.join(', ')}`;
    case 'interval':
      return describeEvery(schedule.everyMs);
    case 'cron':
      return describeCron(schedule.expression, timezone) ?? `cron '${schedule.expression}' (${timezone})`;
  }
}

/**
 * UTC date formatting used by the template vocabulary and filters. Everything here is UTC: a data
 * interval is an absolute span of time, so `ds` of a run never depends on the server's timezone or DST.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** True when `value` is a real, valid `Date` (checked without calling methods of the value itself). */
export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(Date.prototype.getTime.call(value));
}

/** `YYYY-MM-DD` of `date` in UTC (Airflow's `ds`). */
export function formatDs(date: Date): string {
  return formatDatePattern(date, 'YYYY-MM-DD');
}

/**
 * ISO 8601 with an explicit `+00:00` offset, like Python's `isoformat()` of an aware UTC datetime
 * (Airflow's `ts`): `2026-01-01T00:00:00+00:00`, with `.ffffff` microseconds only when non-zero.
 */
export function formatTs(date: Date): string {
  const ms = date.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3)}000`;
  return `${formatDatePattern(date, 'YYYY-MM-DDTHH:mm:ss')}${fraction}+00:00`;
}

/** `YYYYMMDDTHHmmss` in UTC (Airflow's `ts_nodash`). */
export function formatTsNodash(date: Date): string {
  return formatDatePattern(date, 'YYYYMMDDTHHmmss');
}

const PATTERN_TOKENS = /YYYY|SSS|MM|DD|HH|mm|ss/g;

/**
 * Formats `date` in UTC with the tokens `YYYY MM DD HH mm ss SSS`; every other character is copied.
 * @example formatDatePattern(new Date('2026-03-04T05:06:07Z'), 'YYYY/MM/DD HH:mm') // '2026/03/04 05:06'
 */
export function formatDatePattern(date: Date, pattern: string): string {
  return pattern.replace(PATTERN_TOKENS, (token) => {
    switch (token) {
      case 'YYYY':
        return pad(date.getUTCFullYear(), 4);
      case 'MM':
        return pad(date.getUTCMonth() + 1);
      case 'DD':
        return pad(date.getUTCDate());
      case 'HH':
        return pad(date.getUTCHours());
      case 'mm':
        return pad(date.getUTCMinutes());
      case 'ss':
        return pad(date.getUTCSeconds());
      default:
        return pad(date.getUTCMilliseconds(), 3);
    }
  });
}

const STRFTIME: ReadonlyMap<string, (d: Date) => string> = new Map<string, (d: Date) => string>([
  ['Y', (d) => pad(d.getUTCFullYear(), 4)],
  ['y', (d) => pad(d.getUTCFullYear() % 100)],
  ['m', (d) => pad(d.getUTCMonth() + 1)],
  ['d', (d) => pad(d.getUTCDate())],
  ['H', (d) => pad(d.getUTCHours())],
  ['M', (d) => pad(d.getUTCMinutes())],
  ['S', (d) => pad(d.getUTCSeconds())],
  ['f', (d) => `${pad(d.getUTCMilliseconds(), 3)}000`],
  ['j', (d) => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3)],
  ['z', () => '+0000'],
  ['Z', () => 'UTC'],
  ['%', () => '%'],
]);

/**
 * Formats `date` in UTC with Python `strftime` directives (`%Y %y %m %d %H %M %S %f %j %z %Z %%`).
 * Returns `{ unsupported }` naming the first unsupported directive so the caller can report it.
 */
export function formatStrftime(date: Date, pattern: string): string | { unsupported: string } {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const directive = pattern[i + 1] ?? '';
    const format = STRFTIME.get(directive);
    if (!format) return { unsupported: `%${directive}` };
    out += format(date);
    i++;
  }
  return out;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const COMPACT_DATETIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The shape of a date string, so date arithmetic can answer in the same shape. */
export type DateStringShape = 'date' | 'compact-date' | 'datetime';

/**
 * Parses the date strings templates produce (`ds`, `ds_nodash`, `ts`, `ts_nodash`, ISO 8601); a string
 * without an offset is read as UTC. `undefined` when `text` is not one of those shapes or not a real date.
 */
export function parseDateString(text: string): { date: Date; shape: DateStringShape } | undefined {
  let date: Date;
  let shape: DateStringShape = 'datetime';
  const iso = ISO_DATE.exec(text) ?? COMPACT_DATE.exec(text);
  const compact = COMPACT_DATETIME.exec(text);
  if (iso) {
    shape = text.includes('-') ? 'date' : 'compact-date';
    date = new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])));
    if (formatDatePattern(date, 'YYYYMMDD') !== `${iso[1]}${iso[2]}${iso[3]}`) return undefined;
  } else if (compact) {
    const [, y, mo, d, h, mi, s] = compact.map(Number) as [number, number, number, number, number, number, number];
    date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  } else {
    const match = ISO_DATETIME.exec(text);
    if (!match) return undefined;
    const normalized = text.replace(' ', 'T');
    date = new Date(match[1] === undefined ? `${normalized}Z` : normalized);
  }
  return isValidDate(date) ? { date, shape } : undefined;
}

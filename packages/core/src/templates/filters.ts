/**
 * The template filters (`{{ value | name(args) }}`). Each is a pure function of its input and literal
 * or path arguments; none can call into the values it receives.
 */
import { formatDatePattern, formatDs, formatStrftime, isValidDate, parseDateString } from './dates.js';
import { TemplateValueError, UndefinedValue, toJsonText, toPlainData, toText } from './values.js';

/** How a filter is called and what it does. */
export interface FilterSpec {
  /** Fewest arguments accepted. */
  readonly minArgs: number;
  /** Most arguments accepted. */
  readonly maxArgs: number;
  /** True only for filters that handle a missing value themselves (`default`). */
  readonly acceptsUndefined?: boolean;
  /** Applies the filter; throws {@link TemplateValueError} for unusable input. */
  apply(input: unknown, args: readonly unknown[]): unknown;
}

const DAY_MS = 86_400_000;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  return typeof value;
}

function stringArg(args: readonly unknown[], index: number, filter: string): string {
  const value = args[index];
  if (typeof value !== 'string') {
    throw new TemplateValueError(`filter '${filter}' argument ${index + 1} must be a string, got ${typeName(value)}`);
  }
  return value;
}

function integerArg(args: readonly unknown[], index: number, filter: string): number {
  const value = args[index];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TemplateValueError(`filter '${filter}' argument ${index + 1} must be an integer, got ${typeName(value)}`);
  }
  return value;
}

function dateInput(input: unknown, filter: string): { date: Date; shape?: 'date' | 'compact-date' | 'datetime' } {
  if (isValidDate(input)) return { date: input };
  if (typeof input === 'string') {
    const parsed = parseDateString(input);
    if (parsed) return parsed;
    throw new TemplateValueError(`filter '${filter}' needs a date; the string is not a recognised date format`);
  }
  throw new TemplateValueError(`filter '${filter}' needs a date, got ${typeName(input)}`);
}

function isFalsy(value: unknown): boolean {
  return value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

/** Python's `str.replace(old, new, count)` for a non-empty `old`. */
function replaceText(text: string, from: string, to: string, count: number): string {
  let out = '';
  let start = 0;
  for (let done = 0; count < 0 || done < count; done++) {
    const at = text.indexOf(from, start);
    if (at < 0) break;
    out += text.slice(start, at) + to;
    start = at + from.length;
  }
  return out + text.slice(start);
}

/** Percent-encodes like Jinja's `urlencode`: `/` kept in strings; objects become a `k=v&…` query. */
function urlencode(input: unknown): string {
  if (typeof input === 'object' && input !== null && !(input instanceof Date) && !Array.isArray(input)) {
    const data = toPlainData(input) as Record<string, unknown>;
    const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
    return Object.keys(data)
      .map((key) => `${encode(key)}=${encode(toText(data[key]))}`)
      .join('&');
  }
  return encodeURIComponent(toText(input)).replace(/%2F/gi, '/');
}

function addDays(input: unknown, args: readonly unknown[]): unknown {
  const days = integerArg(args, 0, 'add_days');
  const { date, shape } = dateInput(input, 'add_days');
  const shifted = new Date(date.getTime() + days * DAY_MS);
  if (!isValidDate(shifted)) throw new TemplateValueError('add_days moved the date out of range');
  if (shape === 'date') return formatDs(shifted);
  if (shape === 'compact-date') return formatDatePattern(shifted, 'YYYYMMDD');
  return shifted;
}

const defaultFilter: FilterSpec = {
  minArgs: 0,
  maxArgs: 2,
  acceptsUndefined: true,
  apply: (input, args) => {
    const missing = input instanceof UndefinedValue || input === null || (args[1] === true && isFalsy(input));
    return missing ? (args[0] ?? '') : input;
  },
};

const jsonFilter: FilterSpec = { minArgs: 0, maxArgs: 0, apply: (input) => toJsonText(input) };

/** Every filter by name. A Map, so names such as `constructor` never reach an object's prototype. */
export const FILTERS: ReadonlyMap<string, FilterSpec> = new Map<string, FilterSpec>([
  ['upper', { minArgs: 0, maxArgs: 0, apply: (input) => toText(input).toUpperCase() }],
  ['lower', { minArgs: 0, maxArgs: 0, apply: (input) => toText(input).toLowerCase() }],
  ['trim', { minArgs: 0, maxArgs: 0, apply: (input) => toText(input).trim() }],
  ['default', defaultFilter],
  ['d', defaultFilter],
  [
    'date',
    {
      minArgs: 1,
      maxArgs: 1,
      apply: (input, args) => formatDatePattern(dateInput(input, 'date').date, stringArg(args, 0, 'date')),
    },
  ],
  [
    'strftime',
    {
      minArgs: 1,
      maxArgs: 1,
      apply: (input, args) => {
        const result = formatStrftime(dateInput(input, 'strftime').date, stringArg(args, 0, 'strftime'));
        if (typeof result !== 'string') {
          throw new TemplateValueError(`filter 'strftime' does not support the directive '${result.unsupported}'`);
        }
        return result;
      },
    },
  ],
  [
    'nodash',
    {
      minArgs: 0,
      maxArgs: 0,
      apply: (input) => (isValidDate(input) ? formatDatePattern(input, 'YYYYMMDD') : toText(input).replaceAll('-', '')),
    },
  ],
  ['json', jsonFilter],
  ['tojson', jsonFilter],
  ['urlencode', { minArgs: 0, maxArgs: 0, apply: urlencode }],
  [
    'replace',
    {
      minArgs: 2,
      maxArgs: 3,
      apply: (input, args) => {
        const from = stringArg(args, 0, 'replace');
        if (from === '') throw new TemplateValueError("filter 'replace' needs a non-empty string to replace");
        const count = args.length > 2 ? integerArg(args, 2, 'replace') : -1;
        return replaceText(toText(input), from, toText(args[1]), count);
      },
    },
  ],
  ['add_days', { minArgs: 1, maxArgs: 1, apply: addDays }],
]);

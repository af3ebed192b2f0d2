/**
 * How template values are read and printed. Only own, enumerable data properties of plain data are
 * ever read — no getters, no prototype chain, no methods — and nothing is ever called.
 */
import { formatTs, isValidDate } from './dates.js';

/** A path that resolved to nothing; printing it is an error unless `| default(…)` replaced it. */
export class UndefinedValue {
  constructor(
    /** The path as written, e.g. `params.table`. */
    readonly path: string,
  ) {}
}

/** Raised inside filters and printing; the renderer adds the template position. */
export class TemplateValueError extends Error {
  override name = 'TemplateValueError';
}

const MAX_DEPTH = 64;

/**
 * Reads `key` of `value`: an array element by index, or an own enumerable data property of an object.
 * Anything else (primitives, dates, getters, inherited members) reads as `undefined`.
 */
export function readOwnKey(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date) return undefined;
  if (Array.isArray(value)) {
    const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : -1;
    return index >= 0 && index < value.length ? (value as unknown[])[index] : undefined;
  }
  const descriptor = Object.getOwnPropertyDescriptor(value, String(key));
  if (!descriptor || !descriptor.enumerable || !('value' in descriptor)) return undefined;
  return descriptor.value as unknown;
}

/**
 * A JSON-safe copy of `value` built from own enumerable data only (dates as `ts` strings, bigints as
 * strings, functions and symbols dropped). Never calls `toJSON` or any other method of the value.
 */
export function toPlainData(value: unknown, seen: Set<object> = new Set(), depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (value instanceof Date) return isValidDate(value) ? formatTs(value) : null;
  if (depth > MAX_DEPTH) throw new TemplateValueError('value is nested too deeply to print');
  if (seen.has(value)) throw new TemplateValueError('value is cyclic and cannot be printed');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = Array.from({ length: value.length }, (_, i) => toPlainData(readOwnKey(value, i), seen, depth + 1) ?? null);
  } else {
    const copy = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      const item = toPlainData(readOwnKey(value, key), seen, depth + 1);
      if (item !== undefined) copy[key] = item;
    }
    out = copy;
  }
  seen.delete(value);
  return out;
}

/** Serialises `value` as JSON from its plain data (see {@link toPlainData}). */
export function toJsonText(value: unknown): string {
  const data = toPlainData(value);
  if (data === undefined) throw new TemplateValueError(`cannot serialise a ${typeof value} as JSON`);
  return JSON.stringify(data);
}

/**
 * The text a value prints as: strings as-is, numbers/booleans via `String`, `null` as the empty string,
 * dates as `ts` (`2026-01-01T00:00:00+00:00`), arrays and objects as JSON.
 */
export function toText(value: unknown): string {
  if (value instanceof UndefinedValue) {
    throw new TemplateValueError(`'${value.path}' is undefined (use | default('…') to allow a missing value)`);
  }
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) {
    if (!isValidDate(value)) throw new TemplateValueError('cannot print an invalid date');
    return formatTs(value);
  }
  if (typeof value === 'object') return toJsonText(value);
  throw new TemplateValueError(`cannot print a ${typeof value}`);
}

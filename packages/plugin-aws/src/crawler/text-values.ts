/**
 * Typing of text values (CSV cells, partition folder values): ints, doubles, booleans, ISO timestamps and
 * dates are recognised; an empty cell is a null; anything else, including numbers with leading zeros
 * (`007`, zip codes), stays a string.
 */
import { inferStringType, inferValueType, type ColumnType } from './schema.js';

const INTEGER = /^[+-]?(0|[1-9]\d*)$/;
const DECIMAL = /^[+-]?(0|[1-9]\d*)?(\.\d+)?([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

/**
 * The value a text cell stands for: `''` → null, `'42'` → 42 (a BigInt beyond 2^53), `'4.2'` → 4.2,
 * `'TRUE'` → true; anything else (timestamps included) is returned as the text.
 */
export function parseTextValue(text: string): unknown {
  if (text === '') return null;
  if (INTEGER.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  if (DECIMAL.test(text) && /\d/.test(text) && (text.includes('.') || /e/i.test(text))) return Number(text);
  if (BOOLEAN.test(text)) return text.toLowerCase() === 'true';
  return text;
}

/** The column type of a text value (see {@link parseTextValue}). */
export function inferTextType(text: string): ColumnType {
  const value = parseTextValue(text);
  return typeof value === 'string' ? inferStringType(value) : inferValueType(value);
}

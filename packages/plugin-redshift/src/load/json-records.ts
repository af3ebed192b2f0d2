/**
 * Splits a stream of JSON text into records the way Redshift's `COPY … FORMAT AS JSON` reads a file: a
 * sequence of top-level objects (or arrays, for JSONPaths), separated by whitespace, each of which may
 * span several lines. Every record carries the line it ends on (Redshift reports that line for JSON).
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { WarehouseLoadError } from '../errors.js';

/** Longest single record, in UTF-16 code units (16 Mi, Redshift's limit for one JSON object is 4 MB). */
export const MAX_JSON_RECORD_CHARS = 16 * 1024 * 1024;

/** One record's text and the 1-based line it ends on. */
export interface JsonRecordText {
  line: number;
  text: string;
}

const NEWLINE = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = new Set([123, 91]); // { [
const CLOSE = new Set([125, 93]); // } ]
const SPACE = new Set([32, 9, 13, 0xfeff]);

/**
 * The records of `input`, in order.
 * @param object - `s3://…` of the input, for errors.
 * @throws WarehouseLoadError naming the line: text outside a record, a raw newline inside a string, a
 *   record longer than {@link MAX_JSON_RECORD_CHARS}, or input ending inside a record.
 */
export async function* splitJsonRecords(input: Readable, object: string): AsyncGenerator<JsonRecordText> {
  const decoder = new StringDecoder('utf8');
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pending: string[] = [];
  let pendingChars = 0;
  const fail = (reason: string): never => {
    throw new WarehouseLoadError({ object, line, reason: `invalid JSON (${reason})` });
  };
  const scan = function* (text: string): Generator<JsonRecordText> {
    let start = depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        else if (c === NEWLINE) fail('unterminated string');
        continue;
      }
      if (c === NEWLINE) {
        line += 1;
        continue;
      }
      if (depth === 0) {
        if (SPACE.has(c)) continue;
        if (!OPEN.has(c)) fail(`expected an object, found ${JSON.stringify(text[i])}`);
        depth = 1;
        start = i;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (OPEN.has(c)) depth += 1;
      else if (CLOSE.has(c)) {
        depth -= 1;
        if (depth === 0) {
          pending.push(text.slice(start, i + 1));
          yield { line, text: pending.join('') };
          pending = [];
          pendingChars = 0;
          start = -1;
        }
      }
    }
    if (depth > 0) {
      const rest = text.slice(start);
      pendingChars += rest.length;
      if (pendingChars > MAX_JSON_RECORD_CHARS) fail(`record longer than ${MAX_JSON_RECORD_CHARS} characters`);
      pending.push(rest);
    }
  };
  for await (const chunk of input) {
    yield* scan(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
  }
  yield* scan(decoder.end());
  if (depth > 0) fail('unexpected end of input inside a record');
}

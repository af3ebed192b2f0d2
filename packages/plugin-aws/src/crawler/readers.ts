/**
 * Streaming record readers for the formats the crawler understands: JSON Lines, JSON (an array of
 * records, or one object per file) and CSV (with a header row), each optionally gzip-compressed. Objects
 * are read as streams; memory is bounded by the largest single record, not the object.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import { parseJsonLines } from '../hooks/json-lines.js';
import type { S3Hook } from '../hooks/s3.js';
import { RecordParseError } from './errors.js';
import { parseTextValue } from './text-values.js';

/** A data format the crawler reads. */
export type RecordFormat = 'jsonl' | 'json' | 'csv';

/** Every {@link RecordFormat}. */
export const RECORD_FORMATS: readonly RecordFormat[] = ['jsonl', 'json', 'csv'];

/** Largest single JSON record (in UTF-16 code units) the JSON reader holds, by default 16 Mi. */
export const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;

/** Options of {@link readObjectRecords}. */
export interface ReadRecordsOptions {
  /** Stop after this many records (the stream is closed early). Default: all. */
  maxRecords?: number | undefined;
  /** Gunzip the object. Default: when the key ends with `.gz`. */
  gzip?: boolean | undefined;
  /** CSV field delimiter. Default `,`. */
  csvDelimiter?: string | undefined;
  /** JSON only: refuse a record longer than this. Default {@link DEFAULT_MAX_RECORD_CHARS}. */
  maxRecordChars?: number | undefined;
}

/**
 * The format of an object from its key's extension (a trailing `.gz` is ignored): `.jsonl`/`.ndjson` →
 * jsonl, `.json` → json, `.csv` → csv; `undefined` for anything else.
 */
export function formatFromKey(key: string): RecordFormat | undefined {
  const name = key.toLowerCase().replace(/\.gz$/, '');
  if (/\.(jsonl|ndjson|jsonlines)$/.test(name)) return 'jsonl';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv')) return 'csv';
  return undefined;
}

function gunzipped(input: Readable, gzip: boolean): Readable {
  if (!gzip) return input;
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  return input.pipe(gunzip);
}

/**
 * Parses a JSON object: a top-level array yields each element, a top-level object yields itself. Elements
 * are split from the character stream as they arrive, so a large array is never held whole.
 */
export async function* parseJsonRecords(input: Readable, label: string, maxRecordChars = DEFAULT_MAX_RECORD_CHARS): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let mode: 'start' | 'array' | 'object' | 'done' = 'start';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let capturing = false;
  let needComma = false;
  let afterComma = false;
  let pending = '';
  let index = 0;
  const fail = (what: string): never => {
    throw new RecordParseError(`${label}: ${what} (record ${index + 1})`);
  };
  const emit = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new RecordParseError(`${label}: record ${index + 1} is not valid JSON`, { cause: (error as Error).name });
    }
  };
  try {
    for await (const chunk of input) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      const out: unknown[] = [];
      let start = capturing ? 0 : -1;
      const take = (end: number): void => {
        pending += text.slice(start, end);
        if (pending.length > maxRecordChars) fail(`record longer than ${maxRecordChars} characters`);
        out.push(emit(pending));
        index += 1;
        pending = '';
        capturing = false;
        start = -1;
      };
      for (let i = 0; i < text.length; i += 1) {
        const c = text[i] as string;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        const space = c === ' ' || c === '\n' || c === '\r' || c === '\t';
        if (mode === 'done') {
          if (!space) fail('unexpected content after the top-level value');
          continue;
        }
        if (mode === 'start') {
          if (space || c === '\ufeff') continue;
          if (c === '[') {
            mode = 'array';
            depth = 1;
          } else if (c === '{') {
            mode = 'object';
            depth = 1;
            capturing = true;
            start = i;
          } else fail('expected a JSON array or object');
          continue;
        }
        if (mode === 'object') {
          if (c === '"') inString = true;
          else if (c === '{' || c === '[') depth += 1;
          else if (c === '}' || c === ']') {
            depth -= 1;
            if (depth === 0) {
              take(i + 1);
              mode = 'done';
            }
          }
          continue;
        }
        // Array mode.
        if (capturing && depth === 1 && (space || c === ',' || c === ']')) take(i);
        if (!capturing) {
          if (depth !== 1) fail('unbalanced brackets');
          if (space) continue;
          if (c === ',') {
            if (!needComma) fail('unexpected comma');
            needComma = false;
            afterComma = true;
            continue;
          }
          if (c === ']') {
            if (afterComma) fail('trailing comma');
            mode = 'done';
            depth = 0;
            continue;
          }
          if (needComma) fail('expected a comma between array elements');
          capturing = true;
          needComma = true;
          afterComma = false;
          start = i;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth += 1;
        else if (c === '}' || c === ']') {
          depth -= 1;
          if (depth === 1) take(i + 1);
        }
      }
      if (capturing) {
        pending += text.slice(start);
        if (pending.length > maxRecordChars) fail(`record longer than ${maxRecordChars} characters`);
      }
      for (const record of out) yield record;
    }
    if (mode !== 'done') fail('unexpected end of input');
  } finally {
    input.destroy();
  }
}

/** Parses CSV with a header row; each row becomes a record of typed cells (see `parseTextValue`). */
export async function* parseCsvRecords(input: Readable, label: string, delimiter = ','): AsyncGenerator<Record<string, unknown>> {
  const parser = parseCsv({ columns: true, bom: true, skip_empty_lines: true, delimiter });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<Record<string, string>>) {
      row += 1;
      const record: Record<string, unknown> = {};
      for (const [name, text] of Object.entries(cells)) record[name] = parseTextValue(text);
      yield record;
    }
  } catch (error) {
    if (error instanceof RecordParseError) throw error;
    // csv-parse messages may quote cell values; keep its code and the row only.
    const code = (error as { code?: string }).code ?? (error as Error).name;
    const line = (error as { lines?: number }).lines;
    const where = typeof line === 'number' ? `line ${line}` : `data row ${row + 1}`;
    throw new RecordParseError(`${label}: CSV ${where} cannot be parsed (${code})`, { cause: code });
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** Parses `input` in `format` (gunzipping first when `gzip`). */
export function parseRecords(input: Readable, format: RecordFormat, label: string, options: ReadRecordsOptions = {}): AsyncGenerator<unknown> {
  const gzip = options.gzip ?? false;
  switch (format) {
    case 'json':
      return parseJsonRecords(gunzipped(input, gzip), label, options.maxRecordChars);
    case 'csv':
      return parseCsvRecords(gunzipped(input, gzip), label, options.csvDelimiter);
    case 'jsonl':
      return parseJsonLines(input, gzip, label);
  }
}

/**
 * Reads the records of one S3 object through the {@link S3Hook} (JSON Lines with `readJsonLines`, the other
 * formats from `getStream`), stopping after `maxRecords`. Stopping early closes the object's stream.
 */
export async function* readObjectRecords(
  hook: S3Hook,
  bucket: string,
  key: string,
  format: RecordFormat,
  options: ReadRecordsOptions = {},
): AsyncGenerator<unknown> {
  const gzip = options.gzip ?? key.toLowerCase().endsWith('.gz');
  const max = options.maxRecords ?? Infinity;
  if (max <= 0) return;
  const records =
    format === 'jsonl'
      ? hook.readJsonLines(bucket, key, { gzip })
      : parseRecords(await hook.getStream(bucket, key), format, `s3://${bucket}/${key}`, { ...options, gzip });
  let count = 0;
  for await (const record of records) {
    yield record;
    if (++count >= max) break;
  }
}

/**
 * The Postgres side of the S3 transfer: each S3 object is streamed (gunzipped when asked), split into
 * records (JSON objects, which may span lines, or CSV records), mapped to rows ({@link RowMapper}) and written through `COPY … FROM STDIN` (pg-copy-streams), one
 * COPY per object on the caller's transaction. A refused row — bad JSON, a value that does not cast — is
 * reported with its object, line and column.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import { formatS3Url, type S3Hook } from '@sluice/plugin-aws';
import { from as copyFrom } from 'pg-copy-streams';
import { WarehouseLoadError } from '../errors.js';
import type { WarehouseClient } from '../hook.js';
import { qualifiedTable, quoteColumnList, type TableRef } from '../identifiers.js';
import { splitJsonRecords } from './json-records.js';
import { copyTextLine, type RowMapper } from './json-to-row.js';
import { copyErrorToLoadError } from './load-errors.js';

/** Rows are sent to the server in chunks of about this many characters. */
const COPY_BATCH_CHARS = 64 * 1024;

/** What {@link copyObjectsToPostgres} loads, and how. */
export interface PostgresCopyOptions {
  s3: S3Hook;
  bucket: string;
  keys: readonly string[];
  /** The table COPY writes into. */
  into: TableRef;
  /** COPY's column list (the last one is the load sequence when `loadOrder`). */
  copyColumns: readonly string[];
  /** Append the load order (1, 2, …) to every row. */
  loadOrder: boolean;
  mapper: RowMapper;
  format: 'json' | 'csv';
  csv: { delimiter: string; ignoreHeader: number };
  /** Whether to gunzip an object. */
  gzip: (key: string) => boolean;
  signal?: AbortSignal | undefined;
}

/** Counts of a Postgres load. */
export interface PostgresCopyResult {
  rowsCopied: number;
  objectsRead: number;
}

/** One mapped row and the source line it came from. */
interface SourceRow {
  line: number;
  row: (string | null)[];
}

async function* jsonRows(input: Readable, object: string, mapper: RowMapper): AsyncGenerator<SourceRow> {
  for await (const { line, text } of splitJsonRecords(input, object)) {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      throw new WarehouseLoadError({ object, line, reason: `invalid JSON (${(error as Error).message})` });
    }
    yield { line, row: mapper.fromJson(record, { object, line }) };
  }
}

async function* csvRows(input: Readable, object: string, mapper: RowMapper, csv: PostgresCopyOptions['csv']): AsyncGenerator<SourceRow> {
  const parser = parseCsv({
    delimiter: csv.delimiter,
    from_line: csv.ignoreHeader + 1,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // An unquoted empty field is NULL, a quoted one the empty string (as COPY … CSV reads them).
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: (string | null)[]; info: { lines: number } }>) {
      yield { line: info.lines, row: mapper.fromCsv(record, { object, line: info.lines }) };
    }
  } catch (error) {
    if (error instanceof WarehouseLoadError) throw error;
    const lines = (error as { lines?: unknown }).lines;
    const code = (error as { code?: unknown }).code;
    throw new WarehouseLoadError({
      object,
      line: typeof lines === 'number' ? lines : undefined,
      reason: `CSV cannot be parsed${typeof code === 'string' ? ` (${code})` : ''}`,
    });
  } finally {
    parser.destroy();
  }
}

/**
 * Loads `keys` into `into` on `client` (which should be in a transaction: a failure leaves a half-loaded
 * table otherwise).
 * @throws WarehouseLoadError naming the object, line and (when known) column of the refused row.
 */
export async function copyObjectsToPostgres(client: WarehouseClient, options: PostgresCopyOptions): Promise<PostgresCopyResult> {
  const copySql = `COPY ${qualifiedTable(options.into, 'postgres')} (${quoteColumnList(options.copyColumns, 'postgres')}) FROM STDIN`;
  let rowsCopied = 0;
  let objectsRead = 0;
  let sequence = 0;
  for (const key of options.keys) {
    const object = formatS3Url(options.bucket, key);
    const body = await options.s3.getStream(options.bucket, key);
    let input: Readable = body;
    if (options.gzip(key)) {
      const gunzip = createGunzip();
      body.on('error', (error) => gunzip.destroy(error));
      input = body.pipe(gunzip);
    }
    // COPY line N came from source line lines[N - 1].
    const lines: number[] = [];
    let current: number | undefined;
    const rows = options.format === 'json' ? jsonRows(input, object, options.mapper) : csvRows(input, object, options.mapper, options.csv);
    async function* copyText(): AsyncGenerator<string> {
      let batch = '';
      for await (const { line, row } of rows) {
        current = line;
        lines.push(line);
        if (options.loadOrder) row.push(String(++sequence));
        batch += copyTextLine(row);
        if (batch.length >= COPY_BATCH_CHARS) {
          yield batch;
          batch = '';
        }
      }
      if (batch) yield batch;
    }
    const stream = client.raw.query(copyFrom(copySql));
    try {
      await pipeline(Readable.from(copyText()), stream, ...(options.signal ? [{ signal: options.signal }] : []));
    } catch (error) {
      body.destroy();
      if (error instanceof WarehouseLoadError || options.signal?.aborted) throw error;
      throw copyErrorToLoadError(error, object, lines, current);
    }
    rowsCopied += stream.rowCount;
    objectsRead += 1;
  }
  return { rowsCopied, objectsRead };
}

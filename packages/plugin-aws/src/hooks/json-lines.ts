/**
 * JSON Lines encoding and decoding as streams (optionally gzip), for objects too big to hold in memory.
 */
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { JsonLinesError } from '../errors.js';

/** Records to write: an array, any iterable, or an async iterable. */
export type RecordSource = Iterable<unknown> | AsyncIterable<unknown>;

/** Counts filled in while a JSON Lines stream is consumed. */
export interface JsonLinesCounts {
  records: number;
  /** Uncompressed bytes. */
  bytes: number;
}

async function* encodeLines(records: RecordSource, counts: JsonLinesCounts): AsyncGenerator<Buffer> {
  for await (const record of records as AsyncIterable<unknown>) {
    const json = JSON.stringify(record);
    if (json === undefined) throw new JsonLinesError(`record ${counts.records} cannot be written as JSON`);
    const line = Buffer.from(`${json}\n`, 'utf8');
    counts.records += 1;
    counts.bytes += line.length;
    yield line;
  }
}

/** A readable stream of `records` as JSON Lines (gzip-compressed when `gzip`); `counts` fills as it is read. */
export function jsonLinesStream(records: RecordSource, gzip: boolean, counts: JsonLinesCounts): Readable {
  const plain = Readable.from(encodeLines(records, counts));
  if (!gzip) return plain;
  const zipped = createGzip();
  plain.on('error', (error) => zipped.destroy(error));
  return plain.pipe(zipped);
}

/** Parses a JSON Lines stream (gunzipped first when `gzip`), one record per non-blank line. */
export async function* parseJsonLines(input: Readable, gzip: boolean, label: string): AsyncGenerator<unknown> {
  let source: Readable = input;
  if (gzip) {
    const gunzip = createGunzip();
    input.on('error', (error) => gunzip.destroy(error));
    source = input.pipe(gunzip);
  }
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as unknown;
      } catch (error) {
        // The parser's message quotes the line; report the position only.
        throw new JsonLinesError(`${label}: line ${lineNumber} is not valid JSON`, { cause: (error as Error).name });
      }
    }
  } finally {
    lines.close();
    source.destroy();
  }
}

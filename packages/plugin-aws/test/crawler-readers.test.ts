import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Hook } from '../src/hooks/s3.js';
import { formatFromKey, parseJsonRecords, readObjectRecords, type RecordFormat } from '../src/crawler/index.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';

const BUCKET = 'readers';
let s3: LocalS3Server;
let hook: S3Hook;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
});

async function readAll(key: string, format: RecordFormat, maxRecords?: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of readObjectRecords(hook, BUCKET, key, format, { maxRecords })) out.push(record);
  return out;
}

async function parseChunks(chunks: readonly Buffer[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of parseJsonRecords(Readable.from(chunks), 'test')) out.push(record);
  return out;
}

describe('formatFromKey', () => {
  it.each([
    ['a/b.jsonl', 'jsonl'],
    ['a/b.ndjson', 'jsonl'],
    ['a/b.JSONL.GZ', 'jsonl'],
    ['a/b.json', 'json'],
    ['a/b.json.gz', 'json'],
    ['a/b.csv', 'csv'],
    ['a/b.csv.gz', 'csv'],
    ['a/b.parquet', undefined],
    ['a/b', undefined],
  ])('%s → %s', (key, format) => {
    expect(formatFromKey(key)).toBe(format);
  });
});

describe('readers on objects in s3rver', () => {
  it('reads JSON Lines, plain and gzip, and stops after maxRecords', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}` }));
    const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await hook.put(BUCKET, 'jsonl/plain.jsonl', text);
    await hook.put(BUCKET, 'jsonl/zipped.jsonl.gz', gzipSync(text));
    expect(await readAll('jsonl/plain.jsonl', 'jsonl')).toEqual(rows);
    expect(await readAll('jsonl/zipped.jsonl.gz', 'jsonl')).toEqual(rows);
    expect(await readAll('jsonl/zipped.jsonl.gz', 'jsonl', 3)).toEqual(rows.slice(0, 3));
    expect(await readAll('jsonl/plain.jsonl', 'jsonl', 0)).toEqual([]);
  });

  it('reads a JSON array element by element (also gzip, larger than one chunk) and a single JSON object', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, text: `line "${i}" [with] {brackets}, commas \\ and é`, nested: { list: [i, [i]] } }));
    await hook.put(BUCKET, 'json/array.json', JSON.stringify(rows, null, 2));
    await hook.put(BUCKET, 'json/array.json.gz', gzipSync(JSON.stringify(rows)));
    await hook.put(BUCKET, 'json/one.json', '  {"id": 1, "user": {"name": "a"}}\n');
    expect(await readAll('json/array.json', 'json')).toEqual(rows);
    expect(await readAll('json/array.json.gz', 'json')).toEqual(rows);
    expect(await readAll('json/array.json', 'json', 2)).toEqual(rows.slice(0, 2));
    expect(await readAll('json/one.json', 'json')).toEqual([{ id: 1, user: { name: 'a' } }]);
  });

  it('reads CSV with a header row, typing cells from text (ints, doubles, booleans, timestamps, empty → null)', async () => {
    const csv = [
      'id,score,active,created_at,note,zip',
      '1,4.5,true,2026-01-01T10:00:00Z,hello,01234',
      '2,,FALSE,2026-01-02T11:30:00Z,,02134',
      '3000000000,7,,2026-01-03T00:00:00+02:00,"quoted, with comma",10001',
      '',
    ].join('\r\n');
    await hook.put(BUCKET, 'csv/data.csv', `\ufeff${csv}`);
    await hook.put(BUCKET, 'csv/data.csv.gz', gzipSync(csv));
    const expected = [
      { id: 1, score: 4.5, active: true, created_at: '2026-01-01T10:00:00Z', note: 'hello', zip: '01234' },
      { id: 2, score: null, active: false, created_at: '2026-01-02T11:30:00Z', note: null, zip: '02134' },
      { id: 3000000000, score: 7, active: null, created_at: '2026-01-03T00:00:00+02:00', note: 'quoted, with comma', zip: 10001 },
    ];
    expect(await readAll('csv/data.csv', 'csv')).toEqual(expected);
    expect(await readAll('csv/data.csv.gz', 'csv')).toEqual(expected);
    expect(await readAll('csv/data.csv', 'csv', 1)).toEqual(expected.slice(0, 1));
  });

  it('names the object and position of a record it cannot parse, never its content', async () => {
    await hook.put(BUCKET, 'bad/a.json', '[{"id": 1}, {"id": secret}]');
    await hook.put(BUCKET, 'bad/b.csv', 'a,b\n1,2\n3\n');
    await hook.put(BUCKET, 'bad/c.jsonl', '{"id":1}\n{secret\n');
    await expect(readAll('bad/a.json', 'json')).rejects.toMatchObject({ name: 'RecordParseError', message: 's3://readers/bad/a.json: record 2 is not valid JSON' });
    const csvError = readAll('bad/b.csv', 'csv');
    await expect(csvError).rejects.toMatchObject({ name: 'RecordParseError' });
    await expect(csvError).rejects.toThrow(/s3:\/\/readers\/bad\/b\.csv: CSV line 3 cannot be parsed \(CSV_RECORD_INCONSISTENT_COLUMNS\)/);
    await expect(readAll('bad/c.jsonl', 'jsonl')).rejects.toMatchObject({ name: 'JsonLinesError', message: 's3://readers/bad/c.jsonl: line 2 is not valid JSON' });
    await expect(readAll('bad/a.json', 'json')).rejects.not.toThrow(/secret/);
  });

  it('reports a missing object as an S3OperationError', async () => {
    await expect(readAll('nope/missing.json', 'json')).rejects.toMatchObject({ name: 'S3OperationError' });
  });
});

describe('JSON splitting', () => {
  it('gives the same records however the bytes are cut into chunks (fast-check)', async () => {
    const recordArb = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), async (records, cuts, pretty) => {
        const bytes = Buffer.from(JSON.stringify(records, null, pretty ? 2 : undefined), 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
        // JSON.stringify turns -0 into 0; compare with the text's own round trip.
        expect(await parseChunks(chunks.filter((c) => c.length > 0))).toEqual(JSON.parse(bytes.toString('utf8')));
      }),
      { numRuns: 200 },
    );
  });

  it('reads scalar elements and multi-byte characters split across chunks', async () => {
    const text = Buffer.from('[1, "😀é", true ,null,{"a":[]} ,[2]]', 'utf8');
    expect(await parseChunks([text.subarray(0, 6), text.subarray(6, 8), text.subarray(8)])).toEqual([1, '😀é', true, null, { a: [] }, [2]]);
    expect(await parseChunks([Buffer.from('[]')])).toEqual([]);
    expect(await parseChunks([Buffer.from('\ufeff[{"a":1}]\n')])).toEqual([{ a: 1 }]);
  });

  it.each([
    ['an empty object', ''],
    ['a scalar document', '42'],
    ['a trailing comma', '[1,]'],
    ['a missing comma', '[1 2]'],
    ['two documents', '{"a":1}{"b":2}'],
    ['a truncated array', '[{"a":1},'],
    ['a leading comma', '[,1]'],
  ])('refuses %s', async (_name, text) => {
    await expect(parseChunks([Buffer.from(text)])).rejects.toMatchObject({ name: 'RecordParseError' });
  });

  it('refuses a record longer than maxRecordChars', async () => {
    const big = Buffer.from(JSON.stringify([{ a: 'x'.repeat(100) }]));
    const out = async (): Promise<unknown[]> => {
      const list: unknown[] = [];
      for await (const r of parseJsonRecords(Readable.from([big.subarray(0, 10), big.subarray(10)]), 'big', 20)) list.push(r);
      return list;
    };
    await expect(out()).rejects.toThrow(/longer than 20 characters/);
  });
});

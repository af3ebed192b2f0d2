import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Hook } from '../src/hooks/s3.js';
import { crawlPrefix, renderCreateTable, types as t } from '../src/crawler/index.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';

const BUCKET = 'crawl';
let s3: LocalS3Server;
let hook: S3Hook;

const jsonl = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
  await hook.put(
    BUCKET,
    'events/dt=2026-01-01/part-0.jsonl',
    jsonl([
      { id: 1, score: 5, user: { name: 'ann', age: 30 }, tags: [1, 2], note: null, at: '2026-01-01T10:00:00Z', payload: { a: 1 } },
      { id: 2, score: 7, user: { name: 'bob', age: 41 }, tags: [], note: null, at: '2026-01-01T11:00:00Z', payload: { a: 2 } },
    ]),
  );
  await hook.put(
    BUCKET,
    'events/dt=2026-01-02/part-0.jsonl.gz',
    gzipSync(jsonl([{ id: 3000000000, score: 4.5, user: { name: 'cy' }, tags: [1.5, 3], note: 'hi', extra: true, payload: 'text' }])),
  );
  await hook.put(BUCKET, 'events/dt=2026-01-02/_SUCCESS', 'done');
  await hook.put(BUCKET, 'events/dt=2026-01-03/part-0.jsonl', jsonl([{ id: 4, score: 1, user: { name: 'di', age: null }, tags: [2] }]));
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
});

describe('crawlPrefix', () => {
  it('merges files whose schemas differ and widen, with partitions from the folders', async () => {
    const result = await crawlPrefix(hook, { bucket: BUCKET, prefix: 'events' });
    expect(result).toEqual({
      columns: [
        { name: 'at', type: t.timestamp(), nullable: true },
        { name: 'extra', type: t.boolean(), nullable: true },
        { name: 'id', type: t.bigint(), nullable: false },
        { name: 'note', type: t.string(), nullable: true },
        { name: 'payload', type: t.string(), nullable: true },
        { name: 'score', type: t.double(), nullable: false },
        { name: 'tags', type: t.array(t.double()), nullable: false },
        {
          name: 'user',
          type: t.struct([
            { name: 'age', type: t.int(), nullable: true },
            { name: 'name', type: t.string(), nullable: false },
          ]),
          nullable: false,
        },
      ],
      partitionKeys: [{ name: 'dt', type: t.date(), nullable: false }],
      recordCount: 4,
      objectCount: 3,
      objectsRead: 3,
      bytes: expect.any(Number),
      sampled: false,
      format: 'jsonl',
      location: 's3://crawl/events/',
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual({ ...result, bytes: result.bytes });
    expect(renderCreateTable(result, { dialect: 'redshift', schemaName: 'raw', tableName: 'events' })).toContain('"user" SUPER');
  });

  it('samples: maxObjects, maxRecordsPerObject and maxTotalRecords', async () => {
    const firstOnly = await crawlPrefix(hook, { bucket: BUCKET, prefix: 'events/', sampling: { maxObjects: 1 } });
    expect(firstOnly).toMatchObject({ objectCount: 3, objectsRead: 1, recordCount: 2, sampled: true });
    expect(firstOnly.columns.find((c) => c.name === 'score')?.type).toEqual(t.int());
    expect(firstOnly.partitionKeys).toEqual([{ name: 'dt', type: t.date(), nullable: false }]);

    const onePerObject = await crawlPrefix(hook, { bucket: BUCKET, prefix: 'events/', sampling: { maxRecordsPerObject: 1 } });
    expect(onePerObject).toMatchObject({ objectCount: 3, objectsRead: 3, recordCount: 3, sampled: true });

    const three = await crawlPrefix(hook, { bucket: BUCKET, prefix: 'events/', sampling: { maxTotalRecords: 3 } });
    expect(three).toMatchObject({ objectCount: 3, objectsRead: 2, recordCount: 3, sampled: true });
  });

  it('crawls CSV and JSON, with plain folders as partition_0', async () => {
    await hook.put(BUCKET, 'csv/2026/a.csv', 'id,amount,at\n1,10,2026-01-01T00:00:00Z\n2,,2026-01-02T00:00:00Z\n');
    await hook.put(BUCKET, 'csv/2027/b.csv.gz', gzipSync('id,amount,at\n3,2.5,2026-01-03\n'));
    expect(await crawlPrefix(hook, { bucket: BUCKET, prefix: 'csv/' })).toMatchObject({
      columns: [
        { name: 'amount', type: t.double(), nullable: true },
        { name: 'at', type: t.timestamp(), nullable: false },
        { name: 'id', type: t.int(), nullable: false },
      ],
      partitionKeys: [{ name: 'partition_0', type: t.int(), nullable: false }],
      recordCount: 3,
      format: 'csv',
    });

    await hook.put(BUCKET, 'json/a.json', JSON.stringify([{ k: [{ x: 1 }] }, { k: [{ y: 'a' }] }]));
    await hook.put(BUCKET, 'json/b.json', JSON.stringify({ k: null }));
    expect(await crawlPrefix(hook, { bucket: BUCKET, prefix: 'json/' })).toMatchObject({
      columns: [
        {
          name: 'k',
          type: t.array(
            t.struct([
              { name: 'x', type: t.int(), nullable: true },
              { name: 'y', type: t.string(), nullable: true },
            ]),
          ),
          nullable: true,
        },
      ],
      partitionKeys: [],
      recordCount: 3,
      objectCount: 2,
      format: 'json',
    });
  });

  it('reads every object with an explicit format whatever the extension', async () => {
    await hook.put(BUCKET, 'exported/part-00000', jsonl([{ a: 1 }]));
    expect(await crawlPrefix(hook, { bucket: BUCKET, prefix: 'exported/', format: 'jsonl' })).toMatchObject({
      columns: [{ name: 'a', type: t.int(), nullable: false }],
      format: 'jsonl',
    });
    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: 'exported/' })).rejects.toMatchObject({
      name: 'CrawlerError',
      message: expect.stringContaining("'exported/part-00000'"),
    });
  });

  it('refuses an empty prefix, mixed formats, non-object records, clashing partition names and mixed layouts', async () => {
    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: 'nothing/' })).rejects.toMatchObject({ name: 'CrawlerError' });

    await hook.put(BUCKET, 'mixed/a.jsonl', jsonl([{ a: 1 }]));
    await hook.put(BUCKET, 'mixed/b.csv', 'a\n1\n');
    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: 'mixed/' })).rejects.toMatchObject({ name: 'CrawlerError', message: expect.stringContaining("'mixed/b.csv'") });

    await hook.put(BUCKET, 'scalars/a.jsonl', '{"a":1}\n[1,2]\n');
    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: 'scalars/' })).rejects.toMatchObject({
      name: 'CrawlerError',
      message: 's3://crawl/scalars/a.jsonl: record 2 is not a JSON object',
    });

    await hook.put(BUCKET, 'clash/dt=2026-01-01/a.jsonl', jsonl([{ dt: 'x' }]));
    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: 'clash/' })).rejects.toMatchObject({ name: 'CrawlerError', message: expect.stringContaining("'dt'") });

    await hook.put(BUCKET, 'layout/dt=2026-01-01/a.jsonl', jsonl([{ a: 1 }]));
    await hook.put(BUCKET, 'layout/stray.jsonl', jsonl([{ a: 1 }]));
    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: 'layout/' })).rejects.toMatchObject({
      name: 'PartitionLayoutError',
      message: expect.stringContaining("'layout/stray.jsonl'"),
    });

    await expect(crawlPrefix(hook, { bucket: BUCKET, prefix: '../etc/' })).rejects.toMatchObject({ name: 'S3KeyError' });
  });
});

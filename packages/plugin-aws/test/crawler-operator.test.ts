import { dag, type CatalogService, type CatalogTable, type CatalogTableInput, type PutTableResult, type SchemaChangePolicy } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Hook } from '../src/hooks/s3.js';
import { s3CrawlerOperator, types as t } from '../src/crawler/index.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';
import { fakeContext } from './fake-context.js';

/** The core's CatalogService over a Map: versions per table, schema-change policies as the interface documents. */
class MapCatalog implements CatalogService {
  readonly tables = new Map<string, CatalogTable[]>();

  async getTable(database: string, name: string): Promise<CatalogTable | undefined> {
    return this.tables.get(`${database}.${name}`)?.at(-1);
  }

  async listVersions(database: string, name: string): Promise<CatalogTable[]> {
    return [...(this.tables.get(`${database}.${name}`) ?? [])];
  }

  async putTable(input: CatalogTableInput, options: { policy?: SchemaChangePolicy } = {}): Promise<PutTableResult> {
    const versions = this.tables.get(`${input.database}.${input.name}`) ?? [];
    this.tables.set(`${input.database}.${input.name}`, versions);
    const current = versions.at(-1);
    const now = new Date();
    const stats = input.stats ?? {};
    const schemaChanged =
      !current ||
      JSON.stringify([current.columns, current.partitionKeys]) !== JSON.stringify([input.columns, input.partitionKeys]);
    if (!current || (schemaChanged && (options.policy ?? 'update') === 'update')) {
      const table: CatalogTable = { ...input, stats, version: versions.length + 1, createdAt: current?.createdAt ?? now, updatedAt: now };
      versions.push(table);
      return { table, schemaChanged, versionCreated: true };
    }
    const table: CatalogTable = { ...current, stats, updatedAt: now };
    versions[versions.length - 1] = table;
    return { table, schemaChanged, versionCreated: false };
  }
}

const BUCKET = 'lake';
let s3: LocalS3Server;
let hook: S3Hook;

const jsonl = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
});

function contextWith(catalog: CatalogService | undefined, ds = '2026-04-01'): ReturnType<typeof fakeContext> {
  const ctx = fakeContext([s3.connection()], { ds });
  const warnings: string[] = [];
  return Object.assign(ctx, {
    catalog,
    log: { ...ctx.log, warn: (message: string) => void warnings.push(message), warnings },
  });
}

describe('aws.s3-crawler', () => {
  it('crawls a templated prefix into the catalog; reruns keep the version; policy log reports a change, update stores it', async () => {
    const catalog = new MapCatalog();
    await hook.put(BUCKET, 'posts/dt=2026-04-01/hour=01/a.jsonl', jsonl([{ id: 1, score: 3, author: { name: 'x' } }]));
    await hook.put(BUCKET, 'posts/dt=2026-04-01/hour=02/b.jsonl', jsonl([{ id: 2, score: 4.5, author: { name: 'y' } }]));
    const crawl = s3CrawlerOperator({ bucket: BUCKET, prefix: 'posts/dt={{ ds }}', database: 'raw', table: 'posts', policy: 'log' });

    const first = await crawl.run(contextWith(catalog), {});
    const columns = [
      { name: 'author', type: t.struct([{ name: 'name', type: t.string(), nullable: false }]), nullable: false },
      { name: 'id', type: t.int(), nullable: false },
      { name: 'score', type: t.double(), nullable: false },
    ];
    // Folders below the crawled prefix only: `dt` is part of the prefix here.
    const partitionKeys = [{ name: 'hour', type: t.string(), nullable: false }];
    expect(first).toEqual({
      database: 'raw',
      table: 'posts',
      version: 1,
      schemaChanged: true,
      versionCreated: true,
      columns,
      partitionKeys,
      recordCount: 2,
      objectCount: 2,
    });
    const stored = await catalog.getTable('raw', 'posts');
    expect(stored).toMatchObject({ location: 's3://lake/posts/dt=2026-04-01/', format: 'jsonl', columns, partitionKeys });
    expect(stored?.stats).toMatchObject({ recordCount: 2, objectCount: 2, objectsRead: 2, sampled: false, crawledAt: expect.any(String) });

    const rerun = await crawl.run(contextWith(catalog), {});
    expect(rerun).toMatchObject({ version: 1, schemaChanged: false, versionCreated: false });

    await hook.put(BUCKET, 'posts/dt=2026-04-01/hour=03/c.jsonl', jsonl([{ id: 3, score: 1, author: { name: 'z' }, lang: 'en' }]));
    const ctx = contextWith(catalog);
    const logged = await crawl.run(ctx, {});
    expect(logged).toMatchObject({ version: 1, schemaChanged: true, versionCreated: false, recordCount: 3 });
    expect((ctx.log as unknown as { warnings: string[] }).warnings).toEqual(['schema changed; policy log keeps the stored schema']);
    expect((await catalog.getTable('raw', 'posts'))?.columns).toEqual(columns);
    expect((await catalog.getTable('raw', 'posts'))?.stats).toMatchObject({ recordCount: 3 });

    const updated = await s3CrawlerOperator({ bucket: BUCKET, prefix: 'posts/dt={{ ds }}/', database: 'raw', table: 'posts' }).run(contextWith(catalog), {});
    expect(updated).toMatchObject({ version: 2, schemaChanged: true, versionCreated: true });
    expect(updated.columns.map((c) => c.name)).toEqual(['author', 'id', 'lang', 'score']);
    expect((await catalog.listVersions('raw', 'posts')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('passes format and sampling on', async () => {
    await hook.put(BUCKET, 'export/part-0', jsonl([{ a: 1 }, { a: 2 }, { a: 3 }]));
    const out = await s3CrawlerOperator({ bucket: BUCKET, prefix: 'export/', database: 'raw', table: 'export', format: 'jsonl', sampling: { maxTotalRecords: 2 } }).run(
      contextWith(new MapCatalog()),
      {},
    );
    expect(out).toMatchObject({ recordCount: 2, objectCount: 1, columns: [{ name: 'a', type: t.int(), nullable: false }] });
  });

  it('validates its fields when created, and fails clearly without a catalog', async () => {
    expect(() => s3CrawlerOperator({ bucket: BUCKET, prefix: 'p/', database: 'raw', table: 'x; drop' })).toThrow(expect.objectContaining({ name: 'ValidationError' }));
    expect(() => s3CrawlerOperator({ bucket: BUCKET, prefix: 'p/', database: 'raw', table: 't', policy: 'replace' as 'log' })).toThrow(
      expect.objectContaining({ name: 'ValidationError' }),
    );
    await expect(s3CrawlerOperator({ bucket: BUCKET, prefix: 'posts/', database: 'raw', table: 't' }).run(contextWith(undefined), {})).rejects.toMatchObject({
      name: 'CrawlerError',
      message: expect.stringContaining('ctx.catalog'),
    });
  });
});

describe('aws.s3-crawler inside a DAG run', () => {
  it('records the table in the catalog of the run', async () => {
    await hook.put(BUCKET, 'dagrun/dt=2026-05-01/a.jsonl', jsonl([{ id: 1, tags: [1, 2.5] }]));
    const d = dag({ id: 'crawler_demo', schedule: null });
    const crawlRef = d.task('crawl', s3CrawlerOperator({ bucket: BUCKET, prefix: 'dagrun/dt={{ ds }}/', database: 'raw', table: 'dagrun' }));
    d.task('read_back', { upstream: [crawlRef] }, async (ctx) => {
      const table = await ctx.catalog.getTable('raw', 'dagrun');
      return table ? { version: table.version, location: table.location, format: table.format, columns: table.columns } : null;
    });
    const result = await testDag(d, { logicalDate: new Date('2026-05-01T00:00:00Z'), env: s3.env() });
    expect(result.state, JSON.stringify(result.tasks.map((x) => [x.taskId, x.state, x.error]))).toBe('success');
    expect(result.tasks.find((x) => x.taskId === 'crawl')?.output).toMatchObject({
      database: 'raw',
      table: 'dagrun',
      version: 1,
      versionCreated: true,
      columns: [
        { name: 'id', type: t.int(), nullable: false },
        { name: 'tags', type: t.array(t.double()), nullable: false },
      ],
    });
    expect(result.tasks.find((x) => x.taskId === 'read_back')?.output).toEqual({
      version: 1,
      location: 's3://lake/dagrun/dt=2026-05-01/',
      format: 'jsonl',
      columns: [
        { name: 'id', type: t.int(), nullable: false },
        { name: 'tags', type: t.array(t.double()), nullable: false },
      ],
    });
  });
});

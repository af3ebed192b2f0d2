import { dag, formatConnectionUri, ValidationError } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { s3CrawlerOperator } from '@sluice/plugin-aws';
import { describe, expect, it } from 'vitest';
import { createTableSql, s3ToRedshift } from '../src/index.js';
import { LoadTestCatalog } from './support/load-catalog.js';
import { BUCKET, jsonl, putObject, tableRows, useLoadEnv } from './support/load-fixtures.js';

const env = useLoadEnv();

async function columnTypes(table: string, schema = 'public'): Promise<Record<string, string>> {
  const result = await env().wh.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  );
  return Object.fromEntries(result.rows.map((r) => [r.column_name, r.data_type]));
}

describe('createTable: if-missing', () => {
  it('crawler schema → created table → load: the catalog entry decides the column types (nested → jsonb)', async () => {
    const { wh, s3Hook, context } = env();
    const records = [
      { id: 1, Title: 'a', score: 1.5, created_at: '2026-04-05T10:00:00Z', day: '2026-04-05', ok: true, meta: { lang: 'en' }, tags: ['x'] },
      { id: 3_000_000_000, Title: 'b', score: 2, created_at: '2026-04-05T11:00:00Z', day: '2026-04-05', ok: false, meta: null, tags: [] },
    ];
    await putObject(s3Hook, 'crawl/posts/part-0.jsonl', jsonl(records));
    const catalog = new LoadTestCatalog();
    const ctx = { ...context(), catalog };
    const crawl = await s3CrawlerOperator({ bucket: BUCKET, prefix: 'crawl/posts/', database: 'raw', table: 'posts' }).run(ctx, {});
    expect(crawl.recordCount).toBe(2);

    await wh.query('CREATE SCHEMA IF NOT EXISTS analytics');
    const load = s3ToRedshift({
      bucket: BUCKET,
      prefix: 'crawl/posts/',
      table: 'analytics.posts',
      createTable: 'if-missing',
      catalogTable: { database: 'raw', table: 'posts' },
    });
    const out = await load.run(ctx, {});
    expect(out).toMatchObject({ tableCreated: true, rowsLoaded: 2, table: 'analytics.posts' });
    expect(await columnTypes('posts', 'analytics')).toEqual({
      Title: 'text',
      created_at: 'timestamp with time zone',
      day: 'date',
      id: 'bigint',
      meta: 'jsonb',
      ok: 'boolean',
      score: 'double precision',
      tags: 'jsonb',
    });
    expect(await tableRows(wh, 'analytics.posts', 'id')).toEqual([
      expect.objectContaining({ id: '1', Title: 'a', score: 1.5, ok: true, meta: { lang: 'en' }, tags: ['x'] }),
      expect.objectContaining({ id: '3000000000', Title: 'b', score: 2, ok: false, meta: null, tags: [] }),
    ]);
    // The table exists now: a second run does not create it again.
    expect(await load.run(ctx, {})).toMatchObject({ tableCreated: false, rowsLoaded: 2 });
  });

  it('creates from an explicit schema of kind names', async () => {
    const { s3Hook, context } = env();
    await putObject(s3Hook, 'explicit/1.jsonl', jsonl([{ id: 1, payload: { a: 1 }, at: '2026-04-05' }]));
    const out = await s3ToRedshift({
      bucket: BUCKET,
      keys: ['explicit/1.jsonl'],
      table: 'explicit_t',
      createTable: 'if-missing',
      schema: { columns: [{ name: 'id', type: 'bigint' }, { name: 'payload', type: 'json' }, { name: 'at', type: 'date' }] },
    }).run(context(), {});
    expect(out).toMatchObject({ tableCreated: true, rowsLoaded: 1 });
    expect(await columnTypes('explicit_t')).toEqual({ id: 'bigint', payload: 'jsonb', at: 'date' });
  });

  it('creates the table in the load transaction: a failed first load leaves no table behind', async () => {
    const { wh, s3Hook, context } = env();
    await putObject(s3Hook, 'create-fail/1.jsonl', jsonl([{ id: 1 }, { id: 'not a number' }]));
    const error = await s3ToRedshift({
      bucket: BUCKET,
      prefix: 'create-fail/',
      table: 'never_created',
      createTable: 'if-missing',
      schema: { columns: [{ name: 'id', type: 'int' }] },
    }).run(context(), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WarehouseLoadError', line: 2, column: 'id' });
    expect(await wh.tableExists({ schema: 'public', table: 'never_created' })).toBe(false);
  });

  it('fails clearly without the catalog table, and without a table when not asked to create one', async () => {
    const { s3Hook, context } = env();
    await putObject(s3Hook, 'nothing/1.jsonl', jsonl([{ id: 1 }]));
    const ctx = { ...context(), catalog: new LoadTestCatalog() };
    await expect(
      s3ToRedshift({ bucket: BUCKET, prefix: 'nothing/', table: 'nope', createTable: 'if-missing', catalogTable: { database: 'raw', table: 'missing' } }).run(ctx, {}),
    ).rejects.toThrow(/catalog table 'raw.missing' does not exist/);
    const error = await s3ToRedshift({ bucket: BUCKET, prefix: 'nothing/', table: 'nope' }).run(ctx, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/table public.nope does not exist/);
  });

  it('renders Redshift DDL with SUPER for nested columns through the crawler renderer', () => {
    const sql = createTableSql(
      { columns: [{ name: 'id', type: { kind: 'int' }, nullable: false }, { name: 'Meta Data', type: { kind: 'struct', fields: [] }, nullable: true }] },
      { schema: 'raw', table: 'Posts' },
      'redshift',
      256,
    );
    expect(sql).toBe('CREATE TABLE IF NOT EXISTS "raw"."Posts" (\n  "id" INTEGER,\n  "Meta Data" SUPER\n);');
  });
});

describe('field validation', () => {
  it('refuses inconsistent fields when the operator is created', () => {
    expect(() => s3ToRedshift({ bucket: BUCKET, table: 't' })).toThrow(/exactly one of 'prefix' and 'keys'/);
    expect(() => s3ToRedshift({ bucket: BUCKET, prefix: 'p/', table: 't', mode: 'merge' })).toThrow(/mergeKeys/);
    expect(() => s3ToRedshift({ bucket: BUCKET, prefix: 'p/', table: 't', mode: 'replace-partition' })).toThrow(/partition/);
    expect(() => s3ToRedshift({ bucket: BUCKET, prefix: 'p/', table: 't', createTable: 'if-missing' })).toThrow(/schema' or 'catalogTable/);
  });

  it('refuses bad identifiers and Redshift-only options on Postgres at run time', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query('CREATE TABLE IF NOT EXISTS plain (id integer)');
    await putObject(s3Hook, 'plain/1.jsonl', jsonl([{ id: 1 }]));
    await expect(s3ToRedshift({ bucket: BUCKET, prefix: 'plain/', table: 'a.b.c' }).run(context(), {})).rejects.toThrow(/schema.table/);
    await expect(s3ToRedshift({ bucket: BUCKET, prefix: 'plain/', table: 'plain', maxError: 5 }).run(context(), {})).rejects.toThrow(/maxError/);
    await expect(s3ToRedshift({ bucket: BUCKET, prefix: '../x/', table: 'plain' }).run(context(), {})).rejects.toThrow(/'\.\.'/);
    await expect(s3ToRedshift({ bucket: BUCKET, prefix: 'plain/', table: 'plain', columns: ['nope'] }).run(context(), {})).rejects.toThrow(/no column 'nope'/);
  });
});

describe('in a DAG', () => {
  it('crawl → load (table created from the catalog, merged on a key) through the core scheduler', async () => {
    const { wh, s3, s3Hook, db } = env();
    await putObject(s3Hook, 'dag/clicks/dt=2026-05-06/part-0.jsonl', jsonl([
      { user: 'a', clicked_at: '2026-05-06T10:00:00Z', target: { url: '/x' } },
      { user: 'b', clicked_at: '2026-05-06T11:00:00Z', target: { url: '/y' } },
    ]));
    const d = dag({ id: 'redshift_load_demo', schedule: null });
    const crawl = d.task('crawl', s3CrawlerOperator({ bucket: BUCKET, prefix: 'dag/clicks/dt={{ ds }}/', database: 'raw', table: 'clicks' }));
    d.task(
      'load',
      { upstream: [crawl] },
      s3ToRedshift({
        bucket: BUCKET,
        prefix: 'dag/clicks/dt={{ ds }}/',
        table: 'dag_clicks',
        createTable: 'if-missing',
        catalogTable: { database: 'raw', table: 'clicks' },
        mode: 'merge',
        mergeKeys: ['user'],
        dedupeOrderBy: 'clicked_at',
      }),
    );
    const result = await testDag(d, {
      logicalDate: new Date('2026-05-06T00:00:00Z'),
      env: { SLUICE_CONN_AWS_DEFAULT: s3.connectionJson(), SLUICE_CONN_REDSHIFT_DEFAULT: formatConnectionUri(db.connection) },
    });
    expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
    expect(result.tasks[1]?.output).toMatchObject({ table: 'public.dag_clicks', tableCreated: true, rowsLoaded: 2, rowsInserted: 2, rowsUpdated: 0 });
    expect(await columnTypes('dag_clicks')).toEqual({ clicked_at: 'timestamp with time zone', target: 'jsonb', user: 'text' });
    expect((await tableRows(wh, 'dag_clicks', 'user')).map((r) => [r.user, r.target])).toEqual([['a', { url: '/x' }], ['b', { url: '/y' }]]);
  }, 120_000); // the core scheduler's test harness takes ~10 s per run here
});

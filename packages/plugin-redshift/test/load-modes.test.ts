import { beforeEach, describe, expect, it } from 'vitest';
import { s3ToRedshift, WarehouseLoadError } from '../src/index.js';
import { BUCKET, jsonl, putObject, tableRows, useLoadEnv } from './support/load-fixtures.js';

const env = useLoadEnv();

const EVENTS = 'public.events';

beforeEach(async () => {
  const { wh } = env();
  await wh.query('DROP TABLE IF EXISTS events');
  await wh.query('CREATE TABLE events (id integer, dt date, name text, amount integer, updated_at timestamptz)');
});

async function stageDay(ds: string, records: readonly Record<string, unknown>[]): Promise<void> {
  const { s3Hook } = env();
  await putObject(s3Hook, `curated/events/dt=${ds}/part-0.jsonl`, jsonl(records.slice(0, 2)));
  await putObject(s3Hook, `curated/events/dt=${ds}/part-1.jsonl.gz`, jsonl(records.slice(2)));
  await putObject(s3Hook, `curated/events/dt=${ds}/_SUCCESS`, '');
}

const day = (ds: string, version: string): Record<string, unknown>[] =>
  [1, 2, 3, 4].map((id) => ({ id, dt: ds, name: `event ${id} ${version}`, amount: id * 10 }));

describe('append', () => {
  it('appends every data object under the prefix (gzip too, markers left out) and publishes an asset event', async () => {
    const { wh, context } = env();
    await stageDay('2026-04-05', day('2026-04-05', 'v1'));
    const ctx = context({ ds: '2026-04-05' });
    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'curated/events/dt={{ ds }}/', table: EVENTS });
    const out = await load.run(ctx, {});
    const uri = wh.assetUri({ schema: 'public', table: 'events' });
    expect(out).toEqual({
      table: 'public.events',
      dialect: 'postgres',
      mode: 'append',
      rowsLoaded: 4,
      rowsInserted: 4,
      rowsUpdated: 0,
      rowsDeleted: 0,
      duplicatesDropped: 0,
      objectsRead: 2,
      truncatedValues: 0,
      tableCreated: false,
      assetUri: uri,
    });
    expect(ctx.assetEvents).toEqual([
      { uri, metadata: { mode: 'append', rowsLoaded: 4, rowsInserted: 4, rowsUpdated: 0, rowsDeleted: 0, objectsRead: 2 } },
    ]);
    expect(await tableRows(wh, EVENTS, 'id')).toEqual(
      day('2026-04-05', 'v1').map((r) => ({ ...r, dt: expect.stringMatching(/^2026-04-0[45]T/), updated_at: null })),
    );
    // append is not idempotent by design: a rerun adds the rows again.
    await load.run(ctx, {});
    expect((await wh.query('SELECT count(*)::int AS n FROM events')).rows[0]).toEqual({ n: 8 });
  });
});

describe('replace-partition', () => {
  it('replaces only its partition; a rerun leaves the table exactly as one run', async () => {
    const { wh, context } = env();
    await wh.query(`INSERT INTO events (id, dt, name, amount) VALUES (100, '2026-04-04', 'other day', 1), (1, '2026-04-05', 'stale', 0)`);
    await stageDay('2026-04-05', day('2026-04-05', 'v1'));
    const ctx = context({ ds: '2026-04-05' });
    const load = s3ToRedshift({
      bucket: BUCKET,
      prefix: 'curated/events/dt={{ ds }}/',
      table: EVENTS,
      mode: 'replace-partition',
      partition: { column: 'dt', value: '{{ ds }}' },
    });
    const first = await load.run(ctx, {});
    expect(first).toMatchObject({ rowsLoaded: 4, rowsDeleted: 1, rowsInserted: 4, rowsUpdated: 0, objectsRead: 2 });
    const once = await tableRows(wh, EVENTS, 'dt, id');
    expect(once.map((r) => [r.id, r.name])).toEqual([[100, 'other day'], [1, 'event 1 v1'], [2, 'event 2 v1'], [3, 'event 3 v1'], [4, 'event 4 v1']]);

    const second = await load.run(ctx, {});
    expect(second).toMatchObject({ rowsLoaded: 4, rowsDeleted: 4, rowsInserted: 4 });
    expect(await tableRows(wh, EVENTS, 'dt, id')).toEqual(once);
  });

  it('two loads of the same partition at once leave it as one load would', async () => {
    const { wh, context } = env();
    await stageDay('2026-04-07', day('2026-04-07', 'v1'));
    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'curated/events/dt={{ ds }}/', table: EVENTS, mode: 'replace-partition', partition: { column: 'dt', value: '{{ ds }}' } });
    await Promise.all([load.run(context({ ds: '2026-04-07' }), {}), load.run(context({ ds: '2026-04-07' }), {})]);
    expect((await tableRows(wh, EVENTS, 'id')).map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('by default replaces the data interval [start, end) of a timestamp column', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query(`INSERT INTO events (id, updated_at) VALUES (1, '2026-04-05T10:00:00Z'), (9, '2026-04-06T00:00:00Z'), (8, '2026-04-04T23:59:59Z')`);
    await putObject(s3Hook, 'hourly/2026-04-05.jsonl', jsonl([{ id: 2, updated_at: '2026-04-05T00:00:00Z' }, { id: 3, updated_at: '2026-04-05T23:59:59Z' }]));
    const load = s3ToRedshift({ bucket: BUCKET, keys: ['hourly/{{ ds }}.jsonl'], table: EVENTS, mode: 'replace-partition', partition: { column: 'updated_at' } });
    const out = await load.run(context({ ds: '2026-04-05' }), {});
    expect(out).toMatchObject({ rowsDeleted: 1, rowsInserted: 2 });
    expect((await tableRows(wh, EVENTS, 'id')).map((r) => r.id)).toEqual([2, 3, 8, 9]);
  });

  it('refuses staged rows outside the partition and leaves the table unchanged', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query(`INSERT INTO events (id, dt) VALUES (1, '2026-04-05')`);
    await putObject(s3Hook, 'mixed/part.jsonl', jsonl([{ id: 2, dt: '2026-04-05' }, { id: 3, dt: '2026-04-06' }, { id: 4 }]));
    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'mixed/', table: EVENTS, mode: 'replace-partition', partition: { column: 'dt', value: '2026-04-05' } });
    const error = await load.run(context(), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseLoadError);
    expect((error as Error).message).toBe('load failed: 2 loaded row(s) are outside the partition being replaced (dt = 2026-04-05) or have no partition value');
    expect((await tableRows(wh, EVENTS, 'id')).map((r) => r.id)).toEqual([1]);
  });
});

describe('merge', () => {
  it('keeps the row with the greatest dedupeOrderBy per key; a rerun leaves the table exactly as one run', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query(`INSERT INTO events (id, name, updated_at) VALUES (1, 'old', '2026-01-01T00:00:00Z'), (7, 'untouched', '2026-01-01T00:00:00Z')`);
    // Key 1 three times, in an order where neither first nor last is the newest; key 2 twice.
    await putObject(s3Hook, 'merge/a.jsonl', jsonl([
      { id: 1, name: 'mid', updated_at: '2026-04-05T10:00:00Z' },
      { id: 2, name: 'two-new', updated_at: '2026-04-05T12:00:00Z' },
    ]));
    await putObject(s3Hook, 'merge/b.jsonl.gz', jsonl([
      { id: 1, name: 'newest', updated_at: '2026-04-05T11:00:00Z' },
      { id: 2, name: 'two-old', updated_at: '2026-04-05T09:00:00Z' },
      { id: 1, name: 'oldest', updated_at: '2026-04-05T08:00:00Z' },
      { id: 3, name: 'three', updated_at: '2026-04-05T08:00:00Z' },
    ]));
    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'merge/', table: EVENTS, mode: 'merge', mergeKeys: ['id'], dedupeOrderBy: 'updated_at' });
    const first = await load.run(context(), {});
    expect(first).toMatchObject({ rowsLoaded: 6, duplicatesDropped: 3, rowsUpdated: 1, rowsInserted: 2, rowsDeleted: 0, objectsRead: 2 });
    const once = await tableRows(wh, EVENTS, 'id');
    expect(once.map((r) => [r.id, r.name])).toEqual([[1, 'newest'], [2, 'two-new'], [3, 'three'], [7, 'untouched']]);

    const second = await load.run(context(), {});
    expect(second).toMatchObject({ rowsLoaded: 6, duplicatesDropped: 3, rowsUpdated: 3, rowsInserted: 0 });
    expect(await tableRows(wh, EVENTS, 'id')).toEqual(once);
  });

  it('without dedupeOrderBy the later-loaded row wins (objects in key order, lines in order)', async () => {
    const { wh, s3Hook, context } = env();
    await putObject(s3Hook, 'merge2/1.jsonl', jsonl([{ id: 1, name: 'first' }, { id: 1, name: 'second' }]));
    await putObject(s3Hook, 'merge2/2.jsonl', jsonl([{ id: 2, name: 'only' }, { id: 1, name: 'last' }]));
    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'merge2/', table: EVENTS, mode: 'merge', mergeKeys: ['ID'] });
    await load.run(context(), {});
    await load.run(context(), {});
    expect((await tableRows(wh, EVENTS, 'id')).map((r) => [r.id, r.name])).toEqual([[1, 'last'], [2, 'only']]);
  });
});

describe('odd identifiers and merge integrity', () => {
  it('loads and merges into a table whose schema, table and column names need quoting', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query('CREATE SCHEMA IF NOT EXISTS "Über Schema"');
    await wh.query('CREATE TABLE "Über Schema"."Daily Events" ("Event ID" integer, "naïve Name" text, "Version" integer)');
    await putObject(s3Hook, 'odd/1.jsonl', jsonl([{ 'EVENT ID': 1, 'NAÏVE NAME': 'a', version: 1 }, { 'event id': 1, 'naïve name': 'b', version: 2 }]));
    const load = s3ToRedshift({
      bucket: BUCKET,
      prefix: 'odd/',
      table: { schema: 'Über Schema', table: 'Daily Events' },
      mode: 'merge',
      mergeKeys: ['Event ID'],
      dedupeOrderBy: 'version',
    });
    const ctx = context();
    expect(await load.run(ctx, {})).toMatchObject({ table: 'Über Schema.Daily Events', rowsInserted: 1, duplicatesDropped: 1 });
    expect(await tableRows(wh, '"Über Schema"."Daily Events"', '1')).toEqual([{ 'Event ID': 1, 'naïve Name': 'b', Version: 2 }]);
    expect(ctx.assetEvents[0]?.uri).toMatch(/\/%C3%9Cber%20Schema\.Daily%20Events$/);
  });

  it('refuses staged rows with a NULL merge key (a rerun would insert them again) and leaves the table unchanged', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query(`INSERT INTO events (id, name) VALUES (1, 'kept')`);
    await putObject(s3Hook, 'null-key/1.jsonl', jsonl([{ id: 2, name: 'x' }, { name: 'no key' }]));
    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'null-key/', table: EVENTS, mode: 'merge', mergeKeys: ['id'] });
    await expect(load.run(context(), {})).rejects.toThrow('load failed: 1 loaded row(s) have a NULL merge key');
    expect((await tableRows(wh, EVENTS, 'id')).map((r) => [r.id, r.name])).toEqual([[1, 'kept']]);
  });
});

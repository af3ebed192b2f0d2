/**
 * End to end: reddit_hourly over three consecutive scheduled hours against the local environment (Reddit
 * stand-in, s3rver, dynalite, Secrets Manager stand-in, a fresh warehouse database), then a rerun of the
 * middle hour. Asserts what arrived, compared with the posts the stand-in generated for each hour.
 */
import { clearTaskInstances, getCatalogTable, listRuns, listTaskInstances } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import redditHourly, { HOURLY_CATALOG, HOURLY_DYNAMODB_TABLE, HOURLY_SUBREDDIT } from '../dags/reddit_hourly.js';
import { generateSubredditPosts } from '../env/reddit-data.js';
import { listKeys, readJsonLines, scanTable, startHarness, utcHourOfYesterday, type PipelineHarness } from './reddit-harness.js';

const HOUR_MS = 3_600_000;
const HOURS = 3;
const FIRST_HOUR = utcHourOfYesterday(9);
const hourStarts = Array.from({ length: HOURS }, (_, i) => new Date(FIRST_HOUR.getTime() + i * HOUR_MS));
const prefix = `raw/reddit/${HOURLY_SUBREDDIT}/`;
const hourKey = (start: Date): string =>
  `${prefix}dt=${start.toISOString().slice(0, 10)}/hour=${String(start.getUTCHours()).padStart(2, '0')}/posts.jsonl.gz`;

/** The posts the Reddit stand-in generates for the subreddit (the environment's defaults), oldest first. */
function generatedPosts(): { id: string; created_utc: unknown }[] {
  const posts = generateSubredditPosts({
    subreddits: [HOURLY_SUBREDDIT],
    postsPerDay: 144,
    seed: 1,
    now: Date.now(),
    daysBack: 3,
    daysAhead: 0,
    mediaUrl: 'http://127.0.0.1:1',
  });
  return posts.get(HOURLY_SUBREDDIT) ?? [];
}

/** The ids the Reddit stand-in generated for [start, start + 1h), computed here independently of the pipeline. */
function generatedIds(start: Date): string[] {
  const from = start.getTime() / 1000;
  return generatedPosts()
    .filter((p) => Number(p.created_utc) >= from && Number(p.created_utc) < from + 3600)
    .map((p) => p.id)
    .sort();
}

/** Everything the pipeline wrote, for comparing before and after a rerun. */
async function snapshot(harness: PipelineHarness): Promise<unknown> {
  const keys = await listKeys(harness.env, prefix);
  const objects = await Promise.all(keys.map(async (key) => [key, await readJsonLines(harness.env, key)]));
  const items = (await scanTable(harness.env, HOURLY_DYNAMODB_TABLE)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const rows = (await harness.warehouse.query('SELECT * FROM raw.reddit_posts ORDER BY id')).rows;
  return { objects, items, rows };
}

async function failures(harness: PipelineHarness, runPk: number): Promise<string[]> {
  const instances = await listTaskInstances(harness.store.knex, [runPk]);
  return instances.filter((t) => t.state !== 'success').map((t) => `${t.taskId}: ${t.state} ${t.error ?? ''}`);
}

describe('reddit_hourly', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    // The clock just after the end of the first hour: the scheduler creates that hour's run (no catchup).
    harness = await startHarness([redditHourly], new Date(FIRST_HOUR.getTime() + HOUR_MS + 30_000));
    for (let i = 1; i <= HOURS; i++) {
      await harness.driveRuns('reddit_hourly', i);
      // Stop after the last hour, so that no further run is created while the rerun is checked.
      if (i < HOURS) harness.clock.advance(HOUR_MS);
    }
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  it('ran the three consecutive hours as scheduled runs, with Reddit credentials from the secrets backend', async () => {
    // Nothing in the environment: reddit_default and redshift_default come from the Secrets Manager stand-in.
    expect(harness.env.env.SLUICE_CONN_REDDIT_DEFAULT).toBeUndefined();
    expect(harness.env.env.SLUICE_CONN_REDSHIFT_DEFAULT).toBeUndefined();
    const runs = (await listRuns(harness.store.knex, { dagId: 'reddit_hourly' })).sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime());
    expect(runs.map((r) => r.logicalDate.toISOString())).toEqual(hourStarts.map((d) => d.toISOString()));
    for (const run of runs) {
      expect(await failures(harness, run.pk)).toEqual([]);
      expect(run.runType).toBe('scheduled');
      expect(run.state).toBe('success');
    }
  });

  it('staged one object per hour under raw/reddit/<subreddit>/dt=…/hour=…/ holding exactly that hour’s posts', async () => {
    expect(await listKeys(harness.env, prefix)).toEqual(hourStarts.map(hourKey));
    const all: string[] = [];
    for (const start of hourStarts) {
      const staged = (await readJsonLines(harness.env, hourKey(start))).map((p) => String(p.id));
      const expected = generatedIds(start);
      expect(expected.length).toBeGreaterThan(0);
      expect([...staged].sort()).toEqual(expected);
      all.push(...staged);
    }
    // No gaps or duplicates across hours.
    expect(new Set(all).size).toBe(all.length);
  });

  it('recorded the crawled table in the catalog with the inferred columns and the partition keys', async () => {
    const table = await getCatalogTable(harness.store.knex, HOURLY_CATALOG.database, HOURLY_CATALOG.table);
    expect(table?.location).toBe(`s3://sluice-lake/${prefix}`);
    expect(table?.format).toBe('jsonl');
    const kinds = Object.fromEntries((table?.columns ?? []).map((c) => [c.name, (c.type as { kind: string }).kind]));
    expect(kinds).toMatchObject({
      id: 'string',
      title: 'string',
      author: 'string',
      created_utc: 'int',
      created_iso: 'timestamp',
      over_18: 'boolean',
      score: 'int',
      num_comments: 'int',
      media: 'array',
    });
    expect((table?.partitionKeys ?? []).map((c) => c.name)).toEqual(['dt', 'hour']);
    const total = hourStarts.reduce((n, start) => n + generatedIds(start).length, 0);
    expect(table?.stats.recordCount).toBe(total);
    expect(table?.stats.objectCount).toBe(HOURS);
  });

  it('loaded DynamoDB and the warehouse with one item/row per distinct post, with its hour partition', async () => {
    const expected = hourStarts.flatMap((start) => generatedIds(start)).sort();
    const items = await scanTable(harness.env, HOURLY_DYNAMODB_TABLE);
    expect(items.map((i) => String(i.id)).sort()).toEqual(expected);
    expect(items.every((i) => i.subreddit === HOURLY_SUBREDDIT && typeof i.title === 'string')).toBe(true);

    const rows = (await harness.warehouse.query<{ id: string; dt: Date | string; hour: string | number }>('SELECT id, dt, hour FROM raw.reddit_posts ORDER BY id')).rows;
    expect(rows.map((r) => r.id)).toEqual(expected);
    for (const start of hourStarts) {
      const ids = new Set(generatedIds(start));
      const inHour = rows.filter((r) => ids.has(r.id));
      expect(inHour.every((r) => Number(r.hour) === start.getUTCHours())).toBe(true);
    }
    expect(rows.every((r) => r.dt !== null)).toBe(true);
  });

  it('rerunning an hour leaves S3, DynamoDB, the warehouse and the catalog unchanged', async () => {
    const before = await snapshot(harness);
    const versionBefore = (await getCatalogTable(harness.store.knex, HOURLY_CATALOG.database, HOURLY_CATALOG.table))?.version;
    const runs = (await listRuns(harness.store.knex, { dagId: 'reddit_hourly' })).sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime());
    const middle = runs[1];
    if (!middle) throw new Error('no middle run');
    expect(await clearTaskInstances(harness.store.knex, { runPk: middle.pk, structure: redditHourly.structure() })).toBeGreaterThan(0);
    const rerun = async (): Promise<string | undefined> => (await listRuns(harness.store.knex, { dagId: 'reddit_hourly' })).find((r) => r.pk === middle.pk)?.state;
    await harness.drive(async () => (await rerun()) === 'success' || (await rerun()) === 'failed');
    expect(await failures(harness, middle.pk)).toEqual([]);
    expect(await snapshot(harness)).toEqual(before);
    expect((await getCatalogTable(harness.store.knex, HOURLY_CATALOG.database, HOURLY_CATALOG.table))?.version).toBe(versionBefore);
  }, 120_000);
});

describe('reddit_hourly, an hour without posts', () => {
  // The stand-in's posts of a day stop before its end: the first run on such an hour stages an empty object.
  const emptyHour = Array.from({ length: 24 }, (_, h) => utcHourOfYesterday(h)).find((start) => generatedIds(start).length === 0);
  let harness: PipelineHarness | undefined;

  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  it.runIf(emptyHour !== undefined)('stages an empty object and skips the crawl and the loads', async () => {
    const start = emptyHour as Date;
    harness = await startHarness([redditHourly], new Date(start.getTime() + HOUR_MS + 30_000));
    const [run] = await harness.driveRuns('reddit_hourly', 1);
    if (!run) throw new Error('no run');
    expect(run.state).toBe('success');
    const states = Object.fromEntries((await listTaskInstances(harness.store.knex, [run.pk])).map((t) => [t.taskId, t.state]));
    expect(states).toEqual({
      extract_posts: 'success',
      has_new_posts: 'skipped',
      crawl_raw: 'skipped',
      load_dynamodb: 'skipped',
      create_schema: 'success',
      load_warehouse: 'skipped',
      set_partition: 'skipped',
      check_unique_ids: 'skipped',
    });
    expect(await readJsonLines(harness.env, hourKey(start))).toEqual([]);
    expect(await getCatalogTable(harness.store.knex, HOURLY_CATALOG.database, HOURLY_CATALOG.table)).toBeUndefined();
    expect(await scanTable(harness.env, HOURLY_DYNAMODB_TABLE)).toEqual([]);
    const table = await harness.warehouse.query("SELECT to_regclass('raw.reddit_posts') AS t");
    expect(table.rows[0]?.t).toBeNull();
  }, 120_000);
});

/**
 * End to end: reddit_extract stages an hour of posts and publishes its asset; a real scheduler (manual
 * clock) then creates the asset-triggered reddit_to_warehouse run, which transforms and merges the posts into
 * analytics.reddit_posts. The transformed columns are checked against values computed here from the posts
 * the Reddit stand-in generated; reruns (of the merge, and of an extract hour) leave the table unchanged.
 */
import { clearTaskInstances, getCatalogTable, listAssetEvents, listRuns, listTaskInstances, type DagRunRecord } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import redditExtract, { EXTRACT_SUBREDDIT, RAW_POSTS_ASSET, RAW_POSTS_PREFIX } from '../dags/reddit_extract.js';
import redditToWarehouse, { POSTS_CATALOG, RAW_CATALOG } from '../dags/reddit_to_warehouse.js';
import { generateSubredditPosts } from '../env/reddit-data.js';
import { listKeys, startHarness, utcHourOfYesterday, type PipelineHarness } from './reddit-harness.js';

const HOUR_MS = 3_600_000;
const FIRST_HOUR = utcHourOfYesterday(14);
const SECOND_HOUR = new Date(FIRST_HOUR.getTime() + HOUR_MS);

/** A row of analytics.reddit_posts as the test reads it (dates as text, so no time zone is involved). */
interface PostRow {
  id: string;
  subreddit: string;
  title: string;
  title_length: number;
  author: string | null;
  created_at: string;
  created_date: string;
  created_hour: number;
  is_nsfw: boolean;
  is_self: boolean;
  is_image: boolean;
  domain: string;
  permalink: string;
  score: number;
  upvote_ratio: number;
  num_comments: number;
  engagement: number;
}

const SELECT_ROWS = `SELECT id, subreddit, title, title_length, author,
    to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS') AS created_at, CAST(created_date AS TEXT) AS created_date, created_hour,
    is_nsfw, is_self, is_image, domain, permalink, score, upvote_ratio, num_comments, engagement
  FROM analytics.reddit_posts ORDER BY id`;

/** The expected rows for the posts generated in [start, end), derived here from the raw generated posts. */
function expectedRows(harness: PipelineHarness, start: Date, end: Date): PostRow[] {
  const posts =
    generateSubredditPosts({
      subreddits: [EXTRACT_SUBREDDIT],
      postsPerDay: 144,
      seed: 1,
      now: Date.now(),
      daysBack: 3,
      daysAhead: 0,
      mediaUrl: harness.env.media.url,
    }).get(EXTRACT_SUBREDDIT) ?? [];
  return posts
    .filter((p) => Number(p.created_utc) * 1000 >= start.getTime() && Number(p.created_utc) * 1000 < end.getTime())
    .map((p) => {
      const created = new Date(Number(p.created_utc) * 1000);
      const title = String(p.title).trim();
      const domain = String(p.domain).toLowerCase();
      return {
        id: p.id,
        subreddit: String(p.subreddit).toLowerCase(),
        title,
        title_length: title.length,
        author: p.author === '[deleted]' ? null : String(p.author),
        created_at: created.toISOString().slice(0, 19),
        created_date: created.toISOString().slice(0, 10),
        created_hour: created.getUTCHours(),
        is_nsfw: Boolean(p.over_18),
        is_self: Boolean(p.is_self),
        is_image: domain === 'i.redd.it' || domain === 'i.imgur.com',
        domain,
        permalink: `https://www.reddit.com${String(p.permalink)}`,
        score: Number(p.score),
        upvote_ratio: Number(p.upvote_ratio),
        num_comments: Number(p.num_comments),
        engagement: Number(p.score) + Number(p.num_comments),
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('reddit_extract → reddit_to_warehouse', () => {
  let harness: PipelineHarness;

  const failures = async (run: DagRunRecord): Promise<string[]> =>
    (await listTaskInstances(harness.store.knex, [run.pk])).filter((t) => t.state !== 'success').map((t) => `${t.taskId}: ${t.state} ${t.error ?? ''}`);
  const rows = async (): Promise<PostRow[]> => (await harness.warehouse.query<PostRow>(SELECT_ROWS)).rows;
  const runFinished = (pk: number) => async (): Promise<boolean> =>
    ['success', 'failed'].includes((await listRuns(harness.store.knex, {})).find((r) => r.pk === pk)?.state ?? '');

  beforeAll(async () => {
    // Just after the end of the first hour: the scheduler creates the extract run for it.
    harness = await startHarness([redditExtract, redditToWarehouse], new Date(SECOND_HOUR.getTime() + 30_000));
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  it('the extract run publishes the asset, and the scheduler then creates the warehouse run', async () => {
    // Connections come through the Secrets Manager backend, not the environment.
    expect(harness.env.env.SLUICE_CONN_REDDIT_DEFAULT).toBeUndefined();
    expect(harness.env.env.SLUICE_CONN_REDSHIFT_DEFAULT).toBeUndefined();
    const [extract] = await harness.driveRuns('reddit_extract', 1);
    if (!extract) throw new Error('no extract run');
    expect(await failures(extract)).toEqual([]);
    expect(extract.logicalDate.toISOString()).toBe(FIRST_HOUR.toISOString());

    const events = await listAssetEvents(harness.store.knex, { uri: RAW_POSTS_ASSET });
    const key = `${RAW_POSTS_PREFIX}/dt=${FIRST_HOUR.toISOString().slice(0, 10)}/hour=14/posts.jsonl.gz`;
    expect(events.map((e) => [e.dagId, e.metadata.keys])).toEqual([['reddit_extract', [key]]]);
    expect(await listKeys(harness.env, `${RAW_POSTS_PREFIX}/`)).toEqual([key]);

    harness.clock.advance(1000);
    const [load] = await harness.driveRuns('reddit_to_warehouse', 1);
    if (!load) throw new Error('no warehouse run');
    expect(load.runType).toBe('asset');
    expect(load.triggeringAssetEventIds).toEqual(events.map((e) => e.id));
    expect(await failures(load)).toEqual([]);
  }, 120_000);

  it('the warehouse table holds the transformed posts, equal to values computed from the generated posts', async () => {
    const expected = expectedRows(harness, FIRST_HOUR, SECOND_HOUR);
    expect(expected.length).toBeGreaterThan(0);
    expect(await rows()).toEqual(expected);
  });

  it('the catalog has the staged posts and the warehouse table with its row count', async () => {
    const raw = await getCatalogTable(harness.store.knex, RAW_CATALOG.database, RAW_CATALOG.table);
    expect(raw?.location).toBe(`${RAW_POSTS_ASSET}/`);
    expect((raw?.partitionKeys ?? []).map((c) => c.name)).toEqual(['dt', 'hour']);
    const table = await getCatalogTable(harness.store.knex, POSTS_CATALOG.database, POSTS_CATALOG.table);
    expect(table?.format).toBe('table');
    expect(table?.location).toMatch(/^postgres:\/\/.+\/analytics\.reddit_posts$/);
    expect(table?.stats.recordCount).toBe(expectedRows(harness, FIRST_HOUR, SECOND_HOUR).length);
    const kinds = Object.fromEntries((table?.columns ?? []).map((c) => [c.name, (c.type as { kind: string }).kind]));
    expect(kinds).toMatchObject({ id: 'string', created_at: 'timestamp', created_date: 'date', created_hour: 'int', is_image: 'boolean', upvote_ratio: 'double', engagement: 'int' });
  });

  it('the next hour adds its posts; rerunning the merge and re-staging an hour leave the table unchanged', async () => {
    harness.clock.advance(HOUR_MS);
    const extracts = await harness.driveRuns('reddit_extract', 2);
    expect(extracts.map((r) => r.logicalDate.toISOString())).toEqual([FIRST_HOUR, SECOND_HOUR].map((d) => d.toISOString()));
    harness.clock.advance(1000);
    const loads = await harness.driveRuns('reddit_to_warehouse', 2);
    for (const run of [...extracts, ...loads]) expect(await failures(run)).toEqual([]);
    const expected = expectedRows(harness, FIRST_HOUR, new Date(SECOND_HOUR.getTime() + HOUR_MS));
    expect(await rows()).toEqual(expected);
    const before = await rows();

    // Rerun the last warehouse run (same triggering events, same batch): a merge, so nothing changes.
    const last = loads[1];
    if (!last) throw new Error('no second warehouse run');
    await clearTaskInstances(harness.store.knex, { runPk: last.pk, structure: redditToWarehouse.structure() });
    await harness.drive(runFinished(last.pk));
    expect(await failures(last)).toEqual([]);
    expect(await rows()).toEqual(before);

    // Re-stage the second hour: a new asset event, a new warehouse run merging the same posts again.
    const second = extracts[1];
    if (!second) throw new Error('no second extract run');
    await clearTaskInstances(harness.store.knex, { runPk: second.pk, structure: redditExtract.structure() });
    await harness.drive(runFinished(second.pk));
    harness.clock.advance(1000);
    const after = await harness.driveRuns('reddit_to_warehouse', 3);
    const third = after[2];
    if (!third) throw new Error('no third warehouse run');
    expect(await failures(third)).toEqual([]);
    expect(await rows()).toEqual(before);
    const table = await getCatalogTable(harness.store.knex, POSTS_CATALOG.database, POSTS_CATALOG.table);
    expect(table?.stats.recordCount).toBe(before.length);
    expect(table?.version).toBe(1);
  }, 180_000);
});

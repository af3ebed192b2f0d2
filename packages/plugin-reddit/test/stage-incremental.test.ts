import {
  dag,
  EnvironmentSecretsBackend,
  listAssetEvents,
  listRuns,
  ManualClock,
  MemoryLogger,
  migrate,
  openDatabase,
  Scheduler,
  SecretRedactor,
  SecretsResolver,
  StaticDagRegistry,
  type Database,
} from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { S3Hook } from '@sluice/plugin-aws';
import { startS3Server, type LocalS3Server } from '@sluice/plugin-aws/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedditTokenCache } from '../src/hooks/reddit.js';
import { redditSubredditPosts, type SubredditPostsOutput, type SubredditPostsStagedOutput } from '../src/operators/subreddit-posts.js';
import { resetRateLimiters } from '../src/rate-limiter.js';
import { FakeRedditServer, generatePosts } from '../src/testing/index.js';
import { readBack, stageEnv } from './stage-helpers.js';

const START = '2026-01-01T00:00:00Z';
const HOUR = 3600_000;
const BUCKET = 'lake';
const KEY = 'raw/reddit/typescript/dt={{ ds }}/posts-{{ ts_nodash }}.jsonl.gz';

describe('incremental staging through the core scheduler', () => {
  let db: Database;
  let reddit: FakeRedditServer;
  let s3: LocalS3Server;
  let hook: S3Hook;
  const clock = new ManualClock('2026-01-01T01:00:30Z');
  // Posts every ~2 minutes from 00:00 to ~05:00; the server shows only those created before its "now".
  const posts = generatePosts({ subreddit: 'typescript', count: 150, start: START, everySeconds: 120, seed: 17 });

  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    await migrate(db);
    reddit = await FakeRedditServer.start({ now: () => clock.now().getTime(), rateLimit: { budget: 10_000_000, windowSeconds: 600 } });
    reddit.addPosts('typescript', posts);
    s3 = await startS3Server({ buckets: [BUCKET] });
    hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
  });

  afterAll(async () => {
    await hook?.destroy();
    await s3?.stop();
    await reddit?.close();
    await db?.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  it('hourly runs stage each interval to its own key, neither missing nor duplicating a post, and record asset events', async () => {
    const d = dag({ id: 'reddit_hourly_staged', schedule: '@hourly', start: START, catchup: true, maxActiveRuns: 1 });
    const fetched = d.task('fetch', redditSubredditPosts({ subreddit: 'typescript', incremental: true, stage: { bucket: BUCKET, key: KEY, assetPrefix: 'raw/reddit/typescript' } }));
    const collected: SubredditPostsStagedOutput[] = [];
    d.task('collect', { inputs: { fetched } }, async (_ctx, { fetched: out }) => {
      collected.push(out);
      return out.staged.records;
    });
    // Connections come from the environment (JSON), as in a deployment.
    const secrets = new SecretsResolver([new EnvironmentSecretsBackend(stageEnv(reddit, s3))], { ttlMs: 0 });
    const scheduler = new Scheduler({
      knex: db.knex,
      registry: new StaticDagRegistry([d]),
      getConnection: (id) => secrets.getConnection(id),
      getVariable: async () => undefined,
      clock,
      logger: new MemoryLogger(),
      concurrency: 2,
      redactor: new SecretRedactor(),
    });
    const succeeded = async (n: number): Promise<boolean> => (await listRuns(db.knex, { dagId: d.id, state: 'success' })).length >= n;
    const drive = async (n: number): Promise<void> => {
      for (let i = 0; i < 100 && !(await succeeded(n)); i++) {
        await scheduler.runOnce();
        await scheduler.executor?.idle();
      }
      expect(await succeeded(n)).toBe(true);
    };
    try {
      await drive(1); // interval [00:00, 01:00)
      clock.advance(HOUR);
      await drive(2); // interval [01:00, 02:00)
    } finally {
      await scheduler.stop(0);
    }
    expect((await listRuns(db.knex, { dagId: d.id })).every((r) => r.state === 'success')).toBe(true);

    const firstKey = 'raw/reddit/typescript/dt=2026-01-01/posts-20260101T000000.jsonl.gz';
    const secondKey = 'raw/reddit/typescript/dt=2026-01-01/posts-20260101T010000.jsonl.gz';
    expect(await hook.listKeys(BUCKET, 'raw/reddit/typescript/')).toEqual([firstKey, secondKey]);
    const first = (await readBack(hook, BUCKET, firstKey)) as SubredditPostsOutput['posts'];
    const second = (await readBack(hook, BUCKET, secondKey)) as SubredditPostsOutput['posts'];

    const epoch = (iso: string): number => Date.parse(iso) / 1000;
    const due = (from: string, until: string): string[] =>
      posts.filter((p) => (p.created_utc as number) >= epoch(from) && (p.created_utc as number) < epoch(until)).map((p) => p.id);
    expect(first.map((p) => p.id).sort()).toEqual(due(START, '2026-01-01T01:00:00Z').sort());
    expect(second.map((p) => p.id).sort()).toEqual(due('2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z').sort());
    const ids = [...first, ...second].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.length).toBeGreaterThan(20);
    expect(second.length).toBeGreaterThan(20);

    const events = (await listAssetEvents(db.knex, { uri: 's3://lake/raw/reddit/typescript' })).reverse();
    expect(events.map((e) => e.metadata)).toEqual([
      { keys: [firstKey], records: first.length, bytes: expect.any(Number) },
      { keys: [secondKey], records: second.length, bytes: expect.any(Number) },
    ]);

    // The high-water mark stays in the (small) staged output, so the core hands it to the next run.
    expect(collected.map((o) => o.highWaterMark?.coveredUntilIso)).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']);
    expect(collected.map((o) => o.staged.records)).toEqual([first.length, second.length]);
    expect(collected.every((o) => !('posts' in o))).toBe(true);
    expect(collected[1]?.counts.pages).toBe(1);
  });
});

describe('incremental staging in a manual test run (testDag)', () => {
  let reddit: FakeRedditServer;
  let s3: LocalS3Server;
  let hook: S3Hook;

  beforeAll(async () => {
    reddit = await FakeRedditServer.start({ now: () => Date.parse('2026-01-01T03:00:00Z'), rateLimit: { budget: 10_000_000, windowSeconds: 600 } });
    reddit.addPosts('typescript', generatePosts({ subreddit: 'typescript', count: 60, start: START, everySeconds: 120, seed: 3 }));
    s3 = await startS3Server({ buckets: [BUCKET] });
    hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
  });

  afterAll(async () => {
    await hook?.destroy();
    await s3?.stop();
    await reddit?.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  it('a manual run has an empty interval: it stages an empty object under its key and sets the mark', async () => {
    const d = dag({ id: 'reddit_manual_staged', schedule: null });
    d.task('fetch', redditSubredditPosts({ subreddit: 'typescript', incremental: true, stage: { bucket: BUCKET, key: KEY } }));
    const result = await testDag(d, { logicalDate: new Date('2026-01-01T02:00:00Z'), env: stageEnv(reddit, s3) });
    expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
    const out = result.tasks[0]?.output as SubredditPostsStagedOutput;
    expect(out.staged).toMatchObject({ key: 'raw/reddit/typescript/dt=2026-01-01/posts-20260101T020000.jsonl.gz', records: 0 });
    expect(out.highWaterMark?.coveredUntilIso).toBe('2026-01-01T02:00:00.000Z');
    expect(out.counts.pages).toBe(0);
    expect(await readBack(hook, BUCKET, out.staged.key)).toEqual([]);
  });
});

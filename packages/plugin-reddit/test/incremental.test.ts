import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dag,
  listRuns,
  ManualClock,
  MemoryLogger,
  migrate,
  openDatabase,
  Scheduler,
  SecretRedactor,
  StaticDagRegistry,
  type Database,
} from '@sluice/core';
import { clearRedditTokenCache } from '../src/hooks/reddit.js';
import { redditSubredditPosts, type SubredditPostsOutput } from '../src/operators/subreddit-posts.js';
import { resetRateLimiters } from '../src/rate-limiter.js';
import { FakeRedditServer, generatePosts } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';

const START = '2026-01-01T00:00:00Z';
const HOUR = 3600_000;

describe('incremental listing through the core scheduler', () => {
  let db: Database;
  let server: FakeRedditServer;
  const clock = new ManualClock('2026-01-01T01:00:30Z');
  // Posts every ~2 minutes from 00:00 to ~05:00; the server shows only those created before its "now".
  const posts = generatePosts({ subreddit: 'typescript', count: 150, start: START, everySeconds: 120, seed: 11 });

  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    await migrate(db);
    server = await FakeRedditServer.start({ now: () => clock.now().getTime(), rateLimit: { budget: 10_000_000, windowSeconds: 600 } });
    server.addPosts('typescript', posts);
  });

  afterAll(async () => {
    await server.close();
    await db.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  it('two consecutive hourly runs neither miss nor duplicate a post', async () => {
    const collected: SubredditPostsOutput[] = [];
    const d = dag({ id: 'reddit_hourly', schedule: '@hourly', start: START, catchup: true, maxActiveRuns: 1 });
    const fetched = d.task('fetch', redditSubredditPosts({ subreddit: 'typescript', incremental: true }));
    d.task('collect', { inputs: { fetched } }, async (_ctx, { fetched: out }) => {
      collected.push(out);
      return out.counts.returned;
    });
    const scheduler = new Scheduler({
      knex: db.knex,
      registry: new StaticDagRegistry([d]),
      getConnection: async () => server.connection(),
      getVariable: async () => undefined,
      clock,
      logger: new MemoryLogger(),
      concurrency: 2,
      redactor: new SecretRedactor(),
    });
    const succeeded = async (n: number): Promise<boolean> => (await listRuns(db.knex, { dagId: 'reddit_hourly', state: 'success' })).length >= n;
    const drive = async (n: number): Promise<void> => {
      for (let i = 0; i < 100 && !(await succeeded(n)); i++) {
        await scheduler.runOnce();
        await scheduler.executor?.idle();
      }
      expect(await succeeded(n)).toBe(true);
    };
    try {
      await drive(1); // interval [00:00, 01:00), run at 01:00:30: posts of 01:00–01:00:30 are visible but not yet due.
      clock.advance(HOUR); // 02:00:30
      await drive(2); // interval [01:00, 02:00)
    } finally {
      await scheduler.stop(0);
    }
    const runs = await listRuns(db.knex, { dagId: 'reddit_hourly' });
    expect(runs.every((r) => r.state === 'success')).toBe(true);
    expect(collected).toHaveLength(2);
    const [first, second] = collected as [SubredditPostsOutput, SubredditPostsOutput];
    expect(first.posts.length).toBeGreaterThan(20);
    expect(second.posts.length).toBeGreaterThan(20);

    const epoch = (iso: string): number => Date.parse(iso) / 1000;
    const due = (from: string, until: string): string[] =>
      posts.filter((p) => (p.created_utc as number) >= epoch(from) && (p.created_utc as number) < epoch(until)).map((p) => p.id);
    expect(first.posts.map((p) => p.id).sort()).toEqual(due(START, '2026-01-01T01:00:00Z').sort());
    expect(second.posts.map((p) => p.id).sort()).toEqual(due('2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z').sort());
    const ids = [...first.posts, ...second.posts].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(due(START, '2026-01-01T02:00:00Z').sort());

    expect(first.highWaterMark?.coveredUntilIso).toBe('2026-01-01T01:00:00.000Z');
    expect(second.highWaterMark?.coveredUntilIso).toBe('2026-01-01T02:00:00.000Z');
    expect(second.highWaterMark?.newestPostId).toBe(second.posts[0]?.id);
    // The second run stopped paging once it reached posts older than its window.
    expect(second.counts.pages).toBe(1);
  });
});

describe('incremental mode with a previous high-water mark', () => {
  let server: FakeRedditServer;
  const posts = generatePosts({ subreddit: 'typescript', count: 100, start: START, everySeconds: 120, seed: 5 });

  beforeAll(async () => {
    server = await FakeRedditServer.start({ now: () => Date.parse('2026-01-01T03:10:00Z'), rateLimit: { budget: 10_000_000, windowSeconds: 600 } });
    server.addPosts('typescript', posts);
  });

  afterAll(async () => {
    await server.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  it('continues from the mark after a missed interval, up to the end of its own interval', async () => {
    const previous: Pick<SubredditPostsOutput, 'highWaterMark'> = {
      highWaterMark: { coveredUntilUtc: Date.parse('2026-01-01T01:00:00Z') / 1000, coveredUntilIso: '2026-01-01T01:00:00.000Z', newestPostId: null, newestCreatedUtc: null },
    };
    const ctx = fakeTaskContext(server.connection(), {
      previous,
      dataIntervalStart: new Date('2026-01-01T02:00:00Z'),
      dataIntervalEnd: new Date('2026-01-01T03:00:00Z'),
    });
    const out = await redditSubredditPosts({ subreddit: 'typescript', incremental: true }).run(ctx, {});
    const from = Date.parse('2026-01-01T01:00:00Z') / 1000;
    const until = Date.parse('2026-01-01T03:00:00Z') / 1000;
    const expected = posts.filter((p) => (p.created_utc as number) >= from && (p.created_utc as number) < until).map((p) => p.id);
    expect(out.posts.map((p) => p.id).sort()).toEqual(expected.sort());
    expect(out.highWaterMark?.coveredUntilUtc).toBe(until);
  });

  it('rejects incremental mode on a sort other than new', () => {
    expect(() => redditSubredditPosts({ subreddit: 'typescript', sort: 'hot', incremental: true })).toThrow(/incremental/);
  });
});

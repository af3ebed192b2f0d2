import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedditRecordError } from '../src/errors.js';
import { clearRedditTokenCache, RedditHook } from '../src/hooks/reddit.js';
import { LISTING_CEILING, paginateListing } from '../src/listing.js';
import { redditSubredditPosts } from '../src/operators/subreddit-posts.js';
import { RedditRateLimiter, resetRateLimiters } from '../src/rate-limiter.js';
import { normalizePost, type RedditPost } from '../src/records.js';
import { FakeRedditServer, FakeTime, generatePosts } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');

describe('subreddit listings', () => {
  let server: FakeRedditServer;

  beforeEach(async () => {
    // A budget this large makes the real-time limiter's spacing negligible (600 s / 1e7 requests).
    server = await FakeRedditServer.start({ now: () => NOW, rateLimit: { budget: 10_000_000, windowSeconds: 600 } });
    server.addPosts('typescript', generatePosts({ subreddit: 'typescript', count: 1500, start: '2026-01-01T00:00:00Z', everySeconds: 300 }));
    server.addPosts('broken', generatePosts({ subreddit: 'broken', count: 30, start: '2026-01-01T00:00:00Z', malformedEvery: 10 }));
  });

  afterEach(async () => {
    await server.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  it('paginates with after/count and limit=100 up to the requested count', async () => {
    const output = await redditSubredditPosts({ subreddit: 'typescript', count: 250 }).run(fakeTaskContext(server.connection()), {});
    expect(output.posts).toHaveLength(250);
    expect(new Set(output.posts.map((p) => p.id)).size).toBe(250);
    const created = output.posts.map((p) => p.created_utc);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const api = server.apiRequests();
    expect(api.map((r) => r.query.limit)).toEqual(['100', '100', '100']);
    expect(api[0]?.query.after).toBeUndefined();
    expect(api[1]?.query.after).toBe(output.posts[99]?.fullname);
    expect(api[1]?.query.count).toBe('100');
    expect(api[2]?.query.after).toBe(output.posts[199]?.fullname);
    expect(output.counts).toMatchObject({ fetched: 250, skipped: 0, returned: 250, pages: 3, end: 'enough' });
    expect(output.highWaterMark).toBeNull();
  });

  it('stops at the ~1000 item ceiling', async () => {
    const output = await redditSubredditPosts({ subreddit: 'typescript', count: 1000 }).run(fakeTaskContext(server.connection()), {});
    expect(output.posts).toHaveLength(1000);
    expect(server.apiRequests()).toHaveLength(10);
    const time = new FakeTime();
    const hook = new RedditHook('reddit_default', fakeTaskContext(server.connection()), { time, limiter: new RedditRateLimiter(time) });
    const result = await paginateListing(hook, '/r/typescript/new', {}, () => true);
    expect(result).toEqual({ pages: 10, items: LISTING_CEILING, end: 'ceiling' });
  });

  it('passes t= for top listings and orders by score', async () => {
    const output = await redditSubredditPosts({ subreddit: 'typescript', sort: 'top', time: 'all', count: 20 }).run(fakeTaskContext(server.connection()), {});
    expect(server.apiRequests()[0]?.query.t).toBe('all');
    const scores = output.posts.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('rejects t= for listings that do not take it, when the DAG is built', () => {
    expect(() => redditSubredditPosts({ subreddit: 'typescript', sort: 'new', time: 'day' })).toThrow(/time/);
  });

  it('skips and counts malformed posts by default, and logs them', async () => {
    const ctx = fakeTaskContext(server.connection());
    const output = await redditSubredditPosts({ subreddit: 'broken', count: 100 }).run(ctx, {});
    expect(output.posts).toHaveLength(27);
    expect(output.counts).toMatchObject({ fetched: 30, skipped: 3, returned: 27, end: 'exhausted' });
    expect(ctx.log.lines.filter((l) => l.message.includes('malformed'))).toHaveLength(3);
  });

  it("fails with RedditRecordError under the 'fail' policy", async () => {
    const run = redditSubredditPosts({ subreddit: 'broken', count: 100, malformed: 'fail' }).run(fakeTaskContext(server.connection()), {});
    await expect(run).rejects.toBeInstanceOf(RedditRecordError);
    await expect(run).rejects.toThrow(/field 'title'/);
  });
});

describe('normalizePost', () => {
  const [raw] = generatePosts({ subreddit: 'pics', count: 2, start: '2026-01-01T00:00:00Z' }).slice(1);

  it('returns the normalised record', () => {
    const result = normalizePost({ kind: 't3', data: raw });
    expect(result.ok).toBe(true);
    const post = (result as { post: RedditPost }).post;
    expect(Object.keys(post).sort()).toEqual(
      [
        'id', 'fullname', 'subreddit', 'title', 'author', 'author_fullname', 'created_utc', 'created_iso', 'over_18', 'is_self',
        'selftext', 'url', 'domain', 'permalink', 'score', 'upvote_ratio', 'num_comments', 'total_awards_received', 'media',
      ].sort(),
    );
    expect(post.fullname).toBe(`t3_${post.id}`);
    expect(post.created_iso).toBe(new Date(post.created_utc * 1000).toISOString());
    expect(post.permalink.startsWith('https://www.reddit.com/r/pics/comments/')).toBe(true);
  });

  it('keeps total_awards_received nullable and deleted authors without a fullname', () => {
    const data: Record<string, unknown> = { ...raw, author: '[deleted]' };
    delete data.total_awards_received;
    delete data.author_fullname;
    const result = normalizePost({ kind: 't3', data });
    expect(result.ok && result.post.total_awards_received).toBeNull();
    expect(result.ok && result.post.author_fullname).toBeNull();
  });

  it('names the bad field and never throws', () => {
    expect(normalizePost({ kind: 't3', data: { ...raw, score: 'lots' } })).toEqual({ ok: false, itemId: raw?.id, reason: expect.stringContaining("field 'score'") });
    expect(normalizePost(null)).toMatchObject({ ok: false });
    expect(normalizePost({ kind: 't1', data: raw })).toMatchObject({ ok: false, reason: expect.stringContaining('t3') });
  });
});

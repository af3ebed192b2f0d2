import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedditRateLimitError } from '../src/errors.js';
import { clearRedditTokenCache, RedditHook } from '../src/hooks/reddit.js';
import { rateLimiterFor, RedditRateLimiter, resetRateLimiters } from '../src/rate-limiter.js';
import { FakeRedditServer, FakeTime, generatePosts } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';

function headers(remaining: number, resetSeconds: number, used = 0): Headers {
  return new Headers({
    'x-ratelimit-remaining': remaining.toFixed(1),
    'x-ratelimit-reset': String(resetSeconds),
    'x-ratelimit-used': String(used),
  });
}

describe('RedditRateLimiter (fake clock)', () => {
  it('lets the first request through at once', async () => {
    const time = new FakeTime();
    await new RedditRateLimiter(time).acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('spreads the remaining requests over the time to the reset', async () => {
    const time = new FakeTime();
    const start = time.now();
    const limiter = new RedditRateLimiter(time);
    limiter.update(headers(10, 100));
    for (let i = 0; i < 10; i++) await limiter.acquire();
    // 10 requests left for 100 s: after the first, one about every 10 s, never bunched up.
    expect(time.sleeps).toHaveLength(9);
    for (const ms of time.sleeps) {
      expect(ms).toBeGreaterThanOrEqual(9_000);
      expect(ms).toBeLessThanOrEqual(11_200);
    }
    expect(time.now() - start).toBeLessThanOrEqual(100_000);
  });

  it('waits for the reset when no request remains', async () => {
    const time = new FakeTime();
    const start = time.now();
    const limiter = new RedditRateLimiter(time);
    limiter.update(headers(0, 42, 1000));
    await limiter.acquire();
    expect(time.sleeps).toEqual([42_000]);
    expect(time.now() - start).toBe(42_000);
    // After the reset the budget is unknown until the next response: no more waiting.
    await limiter.acquire();
    expect(time.sleeps).toEqual([42_000]);
  });

  it('blocks for Retry-After', async () => {
    const time = new FakeTime();
    const limiter = new RedditRateLimiter(time);
    limiter.blockFor(7_000);
    await limiter.acquire();
    expect(time.sleeps).toEqual([7_000]);
  });

  it('serves concurrent callers one at a time, each paced', async () => {
    const time = new FakeTime();
    const limiter = new RedditRateLimiter(time);
    limiter.update(headers(4, 40));
    const granted: number[] = [];
    await Promise.all([0, 1, 2, 3].map(() => limiter.acquire().then(() => granted.push(time.now()))));
    expect(granted).toHaveLength(4);
    for (let i = 1; i < granted.length; i++) expect((granted[i] ?? 0) - (granted[i - 1] ?? 0)).toBeGreaterThanOrEqual(9_000);
  });

  it('is shared process-wide per client id', () => {
    expect(rateLimiterFor('app-a')).toBe(rateLimiterFor('app-a'));
    expect(rateLimiterFor('app-a')).not.toBe(rateLimiterFor('app-b'));
    resetRateLimiters();
  });
});

describe('rate limiting against the fake server (fake clock)', () => {
  let server: FakeRedditServer;
  let time: FakeTime;

  beforeEach(async () => {
    time = new FakeTime('2026-01-01T12:00:00Z');
    server = await FakeRedditServer.start({ now: () => time.now(), rateLimit: { budget: 5, windowSeconds: 60 } });
    server.addPosts('typescript', generatePosts({ subreddit: 'typescript', count: 3, start: '2026-01-01T00:00:00Z' }));
  });

  afterEach(async () => {
    await server.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  const hook = (): RedditHook =>
    new RedditHook('reddit_default', fakeTaskContext(server.connection()), { time, limiter: new RedditRateLimiter(time), random: () => 0.5 });

  it('paces requests over the window and waits at Remaining=0 instead of hitting 429', async () => {
    const h = hook();
    for (let i = 0; i < 8; i++) await h.getJson('/r/typescript/new');
    const api = server.apiRequests();
    expect(api.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    // The first window (12:00:00–12:01:00) serves 5 requests, spread out; the 6th waits for the reset.
    const windowEnd = Date.parse('2026-01-01T12:01:00Z');
    expect(api.slice(0, 5).every((r) => r.at < windowEnd)).toBe(true);
    expect(api[5]?.at).toBeGreaterThanOrEqual(windowEnd);
    const gaps = api.slice(1, 5).map((r, i) => r.at - (api[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThan(10_000);
  });

  it('shares one limiter between hooks (tasks) of the same client id', async () => {
    const shared = (): RedditHook => new RedditHook('reddit_default', fakeTaskContext(server.connection()), { time, random: () => 0.5 });
    const a = shared();
    const b = shared();
    for (let i = 0; i < 4; i++) await (i % 2 === 0 ? a : b).getJson('/r/typescript/new');
    expect(rateLimiterFor('test-client-id').snapshot()).toMatchObject({ used: 4 });
    // Two hooks, one budget: the requests are spread as if one client sent them all.
    const api = server.apiRequests();
    for (let i = 1; i < api.length; i++) expect((api[i]?.at ?? 0) - (api[i - 1]?.at ?? 0)).toBeGreaterThan(10_000);
  });

  it('honours Retry-After on a 429 and then succeeds', async () => {
    server.scriptFaults({ status: 429, retryAfterSeconds: 30 });
    const body = await hook().getJson<{ kind: string }>('/r/typescript/new');
    expect(body.kind).toBe('Listing');
    const api = server.apiRequests();
    expect(api.map((r) => r.status)).toEqual([429, 200]);
    expect((api[1]?.at ?? 0) - (api[0]?.at ?? 0)).toBeGreaterThanOrEqual(30_000);
  });

  it('fails with RedditRateLimitError when 429s outlast the retries', async () => {
    server.scriptFaults(...Array.from({ length: 5 }, () => ({ status: 429, retryAfterSeconds: 1 })));
    await expect(hook().getJson('/r/typescript/new')).rejects.toBeInstanceOf(RedditRateLimitError);
  });
});

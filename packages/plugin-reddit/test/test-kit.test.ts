import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRedditServer, generateComments, generatePosts, type ListingBody } from '../src/testing/index.js';

describe('synthetic data', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generatePosts({ subreddit: 'x', count: 20, start: '2026-01-01T00:00:00Z', seed: 4 });
    const b = generatePosts({ subreddit: 'x', count: 20, start: '2026-01-01T00:00:00Z', seed: 4 });
    const c = generatePosts({ subreddit: 'x', count: 20, start: '2026-01-01T00:00:00Z', seed: 5 });
    expect(a).toEqual(b);
    expect(a.map((p) => p.title)).not.toEqual(c.map((p) => p.title));
    const times = a.map((p) => p.created_utc as number);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const comments = generateComments(a[0]!, { count: 10 });
    for (const [i, comment] of comments.entries()) {
      const parentIndex = comments.findIndex((x) => x.name === comment.parent_id);
      expect(parentIndex).toBeLessThan(i);
    }
  });
});

describe('FakeRedditServer', () => {
  let server: FakeRedditServer;
  let now = Date.parse('2026-01-01T01:00:00Z');

  beforeEach(async () => {
    now = Date.parse('2026-01-01T01:00:00Z');
    server = await FakeRedditServer.start({ now: () => now, rateLimit: { budget: 3, windowSeconds: 60 } });
    server.addPosts('demo', generatePosts({ subreddit: 'demo', count: 120, start: '2026-01-01T00:00:00Z', everySeconds: 60 }));
  });

  afterEach(async () => {
    await server.close();
  });

  async function token(): Promise<string> {
    const response = await fetch(`${server.url}/api/v1/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('test-client-id:test-client-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  it('shows posts only once the server time reaches them, pages with after and before', async () => {
    const auth = { authorization: `bearer ${await token()}` };
    const first = (await (await fetch(`${server.url}/r/demo/new?limit=100`, { headers: auth })).json()) as ListingBody;
    const visible = first.data.children.length;
    expect(visible).toBeGreaterThan(40);
    expect(visible).toBeLessThan(100);
    const last = first.data.children.at(-1)?.data as { name: string };
    const before = (await (await fetch(`${server.url}/r/demo/new?limit=5&before=${last.name}`, { headers: auth })).json()) as ListingBody;
    expect(before.data.children.map((c) => (c.data as { name: string }).name)).toEqual(
      first.data.children.slice(-6, -1).map((c) => (c.data as { name: string }).name),
    );
    now += 1800_000; // 30 minutes later (the token is still valid): more posts have appeared
    const later = (await (await fetch(`${server.url}/r/demo/new?limit=100`, { headers: auth })).json()) as ListingBody;
    expect(later.data.children.length).toBeGreaterThan(visible);
    expect(later.data.children.at(-visible)?.data).toEqual(first.data.children[0]?.data);
  });

  it('sends rate-limit headers and answers 429 once the budget is spent', async () => {
    const auth = { authorization: `bearer ${await token()}` };
    const statuses: number[] = [];
    let headers: Headers | undefined;
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.url}/r/demo/hot?limit=1`, { headers: auth });
      await response.arrayBuffer();
      statuses.push(response.status);
      headers ??= response.headers;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(headers?.get('x-ratelimit-remaining')).toBe('2.0');
    expect(headers?.get('x-ratelimit-used')).toBe('1');
    expect(headers?.get('x-ratelimit-reset')).toBe('60');
  });

  it('answers a bad account with HTTP 200 {"error":"invalid_grant"} and an unknown token with 401', async () => {
    const response = await fetch(`${server.url}/api/v1/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('test-client-id:test-client-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'password', username: 'test_user', password: 'bad' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ error: 'invalid_grant' });
    const api = await fetch(`${server.url}/r/demo/new`, { headers: { authorization: 'bearer nope' } });
    await api.arrayBuffer();
    expect(api.status).toBe(401);
  });
});

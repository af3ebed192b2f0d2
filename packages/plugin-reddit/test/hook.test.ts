import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError } from '@sluice/core';
import { RedditApiError, RedditAuthError } from '../src/errors.js';
import { clearRedditTokenCache, RedditHook } from '../src/hooks/reddit.js';
import { RedditRateLimiter, resetRateLimiters } from '../src/rate-limiter.js';
import { FakeRedditServer, FakeTime, generatePosts } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';

describe('RedditHook', () => {
  let server: FakeRedditServer;
  let time: FakeTime;

  beforeEach(async () => {
    time = new FakeTime('2026-01-01T12:00:00Z');
    server = await FakeRedditServer.start({ now: () => time.now() });
    server.addPosts('typescript', generatePosts({ subreddit: 'typescript', count: 5, start: '2026-01-01T00:00:00Z' }));
  });

  afterEach(async () => {
    await server.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  const hookFor = (connection = server.connection()): RedditHook =>
    new RedditHook('reddit_default', fakeTaskContext(connection), { time, limiter: new RedditRateLimiter(time), random: () => 0.5 });

  it('caches the token, sends the user agent and raw_json=1', async () => {
    const hook = hookFor();
    await hook.getJson('/r/typescript/new', { limit: 2 });
    await hook.getJson('/r/typescript/new', { limit: 2 });
    expect(server.tokensIssued).toBe(1);
    const api = server.apiRequests();
    expect(api).toHaveLength(2);
    expect(api[0]?.query.raw_json).toBe('1');
    expect(api[0]?.userAgent).toBe('test:dev.sluice.reddit-tests:v0.1.0 (by /u/test_user)');
  });

  it('shares the cached token between hooks of the same app and renews it after expiry', async () => {
    await hookFor().getJson('/r/typescript/new');
    await hookFor().getJson('/r/typescript/new');
    expect(server.tokensIssued).toBe(1);
    time.advance(3600_000);
    await hookFor().getJson('/r/typescript/new');
    expect(server.tokensIssued).toBe(2);
  });

  it('refreshes the token once on a 401 and retries the request', async () => {
    const hook = hookFor();
    await hook.getJson('/r/typescript/new');
    server.expireTokens();
    const body = await hook.getJson<{ kind: string }>('/r/typescript/new');
    expect(body.kind).toBe('Listing');
    expect(server.tokensIssued).toBe(2);
    expect(server.apiRequests().map((r) => r.status)).toEqual([200, 401, 200]);
  });

  it('shares one token request between concurrent callers', async () => {
    await Promise.all([hookFor().getJson('/r/typescript/new'), hookFor().getJson('/r/typescript/new'), hookFor().getJson('/r/typescript/new')]);
    expect(server.tokensIssued).toBe(1);
  });

  it('fails with RedditAuthError when a fresh token is rejected too', async () => {
    const hook = hookFor();
    await hook.getJson('/r/typescript/new');
    server.scriptFaults({ status: 401 });
    server.expireTokens();
    await expect(hook.getJson('/r/typescript/new')).rejects.toBeInstanceOf(RedditAuthError);
  });

  it('uses the client_credentials grant without an account', async () => {
    const connection = server.connection({ extra: { username: undefined, password: undefined } });
    await hookFor(connection).getJson('/r/typescript/new');
    expect(server.tokensIssued).toBe(1);
  });

  it('treats an HTTP 200 {"error": "invalid_grant"} as an auth error naming the cause, without secrets', async () => {
    const connection = server.connection({ extra: { password: 'wrong-password-123' } });
    const error = await hookFor(connection).getJson('/r/typescript/new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedditAuthError);
    expect((error as RedditAuthError).reason).toBe('invalid_grant');
    expect((error as Error).message).toContain('invalid_grant');
    expect((error as Error).message).not.toContain('wrong-password-123');
    expect(server.apiRequests()).toHaveLength(0);
  });

  it('reports a wrong client secret as an auth error', async () => {
    const error = await hookFor(server.connection({ password: 'nope-secret' })).getJson('/r/typescript/new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedditAuthError);
    expect((error as Error).message).not.toContain('nope-secret');
  });

  it.each([
    ['missing', undefined],
    ['a browser user agent', 'Mozilla/5.0'],
    ['no author', 'linux:dev.sluice.app:v1.0'],
  ])('refuses to start with a user agent that is %s', async (_label, userAgent) => {
    const connection = server.connection({ extra: { user_agent: userAgent } });
    const error = await hookFor(connection).validate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain("'user_agent'");
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a connection without client id or secret', async () => {
    const error = await hookFor(server.connection({ login: undefined })).validate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain("'login'");
  });

  it('retries 5xx, 408 and dropped connections with growing jittered backoff', async () => {
    server.scriptFaults({ status: 503 }, { status: 408 }, { disconnect: true }, { status: 500 });
    const body = await hookFor().getJson<{ kind: string }>('/r/typescript/new');
    expect(body.kind).toBe('Listing');
    // random() = 0.5 → 75% of 1s, 2s, 4s, 8s.
    expect(time.sleeps).toEqual([750, 1500, 3000, 6000]);
  });

  it('gives up after the bounded number of attempts with the last status', async () => {
    server.scriptFaults({ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }, { status: 502 });
    const error = await hookFor().getJson('/r/typescript/new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedditApiError);
    expect((error as RedditApiError).status).toBe(502);
    expect(server.apiRequests()).toHaveLength(5);
  });

  it('does not retry a 404', async () => {
    const error = await hookFor().getJson('/r/nosuchsub/new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedditApiError);
    expect((error as RedditApiError).status).toBe(404);
    expect(server.apiRequests()).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, hashApiToken } from '../../src/api/auth.js';
import type { ApiApp } from '../../src/api/context.js';
import { isLoopbackHost, startApiServer } from '../../src/api/server.js';
import { ManualClock } from '../../src/clock.js';
import { MemoryLogger } from '../../src/logger.js';
import { revokeApiToken } from '../../src/store/api-tokens.js';
import { rowsOf } from '../../src/store/rows.js';
import { createTestDatabase, describeEachBackend, type TestDatabase } from '../../../../test-support/databases.js';
import { makeScheduler } from '../engine/harness.js';
import { call, demoDags, makeApp } from './helpers.js';

describeEachBackend('API auth', (getDb) => {
  let app: ApiApp;
  let admin: string;
  let reader: string;
  beforeAll(async () => {
    const dags = demoDags();
    const scheduler = makeScheduler(getDb().knex, dags, new ManualClock('2026-01-05T00:30:00Z'), { concurrency: 0 });
    await scheduler.runOnce();
    await scheduler.stop(0);
    admin = (await createApiToken(getDb().knex, { name: 'ops', role: 'admin' })).token;
    reader = (await createApiToken(getDb().knex, { name: 'viewer', role: 'read-only' })).token;
    app = makeApp(getDb(), { dags, auth: { required: true } });
  });

  it('stores tokens hashed: the plain token is nowhere in the table', async () => {
    expect(admin).toMatch(/^slc_[A-Za-z0-9_-]{43}$/);
    const rows = rowsOf(await getDb().knex.raw('SELECT * FROM sluice_api_tokens'));
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(admin);
    expect(dump).not.toContain(reader);
    expect(rows.map((r) => r.token_hash)).toContain(hashApiToken(admin));
    await expect(createApiToken(getDb().knex, { name: 'ops', role: 'admin' })).rejects.toThrow(/already exists/);
  });

  it('requires a token; read-only may GET but not change anything; admin may', async () => {
    const anonymous = await call(app, 'GET', '/api/v1/dags');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    expect((await call(app, 'GET', '/api/v1/dags', { headers: { Authorization: 'Bearer slc_wrong' } })).status).toBe(401);
    const bearer = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` });
    expect((await call(app, 'GET', '/api/v1/dags', { headers: bearer(reader) })).status).toBe(200);
    const denied = await call(app, 'PATCH', '/api/v1/dags/api_demo', { headers: bearer(reader), body: { paused: true } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await call(app, 'POST', '/api/v1/dags/api_demo/runs', { headers: bearer(reader), body: {} })).status).toBe(403);
    expect((await call(app, 'PATCH', '/api/v1/dags/api_demo', { headers: bearer(admin), body: { paused: true } })).status).toBe(200);
    expect((await call(app, 'GET', '/health')).status).toBe(200);
    expect((await call(app, 'GET', '/metrics')).status).toBe(200);
  });

  it('logs the UI in with a cookie session; non-GET needs the CSRF token; revoking the token ends it', async () => {
    const { token } = await createApiToken(getDb().knex, { name: 'browser', role: 'admin' });
    expect((await call(app, 'GET', '/api/v1/auth/session')).body).toEqual({ authRequired: true, authenticated: false, role: null, csrfToken: null });
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: { token: 'slc_nope' } })).status).toBe(401);
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: {} })).body.error.field).toBe('token');
    const login = await call(app, 'POST', '/api/v1/auth/login', { body: { token } });
    expect(login.status).toBe(200);
    expect(login.body.role).toBe('admin');
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/sluice_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toContain(token);
    const cookie = setCookie.split(';')[0] as string;
    const csrf = login.body.csrfToken as string;
    expect((await call(app, 'GET', '/api/v1/auth/session', { headers: { Cookie: cookie } })).body).toEqual({ authRequired: true, authenticated: true, role: 'admin', csrfToken: csrf });
    expect((await call(app, 'GET', '/api/v1/dags', { headers: { Cookie: cookie } })).status).toBe(200);
    const noCsrf = await call(app, 'PATCH', '/api/v1/dags/api_demo', { headers: { Cookie: cookie }, body: { paused: false } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.message).toMatch(/CSRF/);
    expect((await call(app, 'PATCH', '/api/v1/dags/api_demo', { headers: { Cookie: cookie, 'X-CSRF-Token': 'x' }, body: { paused: false } })).status).toBe(403);
    expect((await call(app, 'PATCH', '/api/v1/dags/api_demo', { headers: { Cookie: cookie, 'X-CSRF-Token': csrf }, body: { paused: false } })).status).toBe(200);
    await revokeApiToken(getDb().knex, 'browser');
    expect((await call(app, 'GET', '/api/v1/dags', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await call(app, 'POST', '/api/v1/auth/logout', { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('without auth (loopback): everyone is admin, but foreign Host and cross-origin writes are refused', async () => {
    const open = makeApp(getDb(), { dags: null });
    expect((await call(open, 'GET', '/api/v1/auth/session')).body).toEqual({ authRequired: false, authenticated: true, role: 'admin', csrfToken: null });
    expect((await call(open, 'PATCH', '/api/v1/dags/api_demo', { body: { paused: false } })).status).toBe(200);
    expect((await call(open, 'GET', '/api/v1/dags', { headers: { Host: 'evil.example:8080' } })).status).toBe(403);
    const crossOrigin = await call(open, 'PATCH', '/api/v1/dags/api_demo', { headers: { Origin: 'https://evil.example' }, body: { paused: true } });
    expect(crossOrigin.status).toBe(403);
    expect((await call(open, 'PATCH', '/api/v1/dags/api_demo', { headers: { Origin: 'http://localhost' }, body: { paused: false } })).status).toBe(200);
    expect((await call(open, 'PATCH', '/api/v1/dags/api_demo', { headers: { Origin: 'null' }, body: { paused: true } })).status).toBe(403);
    const form = await call(open, 'POST', '/api/v1/dags/api_demo/runs', { headers: { 'Content-Type': 'text/plain' }, body: '{"conf":{}}' });
    expect(form.status).toBe(400);
    expect(form.body.error.field).toBe('body');
  });
});

describe('API server', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('refuses a non-loopback address without auth, and auth without tokens', async () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    const base = { db: database.db, logger: new MemoryLogger(), port: 0 };
    await expect(startApiServer({ ...base, host: '0.0.0.0', auth: { required: false } })).rejects.toThrow(/refusing to serve the API on 0\.0\.0\.0 without auth/);
    await expect(startApiServer({ ...base, host: '127.0.0.1', auth: { required: true } })).rejects.toThrow(/needs at least one token/);
  });

  it('listens for real: health over HTTP, then closes', async () => {
    const server = await startApiServer({ db: database.db, logger: new MemoryLogger(), host: '127.0.0.1', port: 0, auth: { required: false } });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', store: 'pglite', schedulerHeartbeatAt: null });
      const trigger = await fetch(`${server.url}/api/v1/dags/nope/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(trigger.status).toBe(404);
      expect(trigger.headers.get('content-type')).toMatch(/application\/json/);
    } finally {
      await server.close();
    }
  });

  it('answers an internal failure with a bare 500: no stack trace, no SQL', async () => {
    const broken = await createTestDatabase('pglite');
    try {
      await broken.db.knex.raw('DROP TABLE sluice_asset_events CASCADE');
      const logger = new MemoryLogger();
      const app = makeApp(broken.db, { dags: null, logger });
      const r = await call(app, 'GET', '/api/v1/assets');
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(r.text).not.toMatch(/sluice_asset_events|at .*\.ts|stack/i);
    } finally {
      await broken.drop();
    }
  });
});

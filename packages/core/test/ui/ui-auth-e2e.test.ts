import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/auth.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { dag } from '../../src/authoring/dag.js';
import { systemClock } from '../../src/clock.js';
import { MemoryLogger } from '../../src/logger.js';
import { StaticDagRegistry } from '../../src/scheduler/dag-registry.js';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { makeScheduler } from '../engine/harness.js';
import { launchChromium, openPage, screenshot } from './browser.js';

describe('web UI login (auth required)', () => {
  let testDb: TestDatabase | undefined;
  let server: ApiServer | undefined;
  let browser: Browser | undefined;
  let adminToken = '';
  let readOnlyToken = '';

  const paused = async (): Promise<boolean> => {
    const res = await fetch(`${server?.url}/api/v1/dags/ui_auth`, { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { paused: boolean }).paused;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    testDb = await createTestDatabase('postgres');
    const d = dag({ id: 'ui_auth', schedule: null });
    d.task('a', async () => 1);
    const syncOnly = makeScheduler(testDb.db.knex, [d], systemClock, { concurrency: 0 });
    await syncOnly.runOnce();
    await syncOnly.stop(0);
    adminToken = (await createApiToken(testDb.db.knex, { name: 'ui-admin', role: 'admin' })).token;
    readOnlyToken = (await createApiToken(testDb.db.knex, { name: 'ui-viewer', role: 'read-only' })).token;
    server = await startApiServer({
      db: testDb.db,
      registry: new StaticDagRegistry([d]),
      logger: new MemoryLogger(),
      auth: { required: true },
      host: '127.0.0.1',
      port: 0,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await testDb?.drop();
  }, 60_000);

  it('logs in with an admin token, writes with the CSRF header, logs out', async () => {
    const { page, problems } = await openPage(browser as Browser, server?.url ?? '');
    const csrfHeaders: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') csrfHeaders.push(request.headers()['x-csrf-token']);
    });
    await page.goto(`${server?.url}/`);
    const tokenInput = page.getByLabel('API token');
    await tokenInput.fill('sluice_not-a-real-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/\S/);
    await screenshot(page, 'auth-01-login-refused');

    await tokenInput.fill(adminToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'ui_auth', exact: true }).count()).toBe(1);
    expect(await page.content()).not.toContain(adminToken);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'sluice_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    await page.getByRole('switch', { name: 'ui_auth paused' }).click();
    await expect.poll(paused).toBe(true);
    expect(csrfHeaders).toHaveLength(1);
    expect(csrfHeaders[0]).toMatch(/^[\w-]{20,}$/);
    await page.getByRole('switch', { name: 'ui_auth paused' }).click();
    await expect.poll(paused).toBe(false);
    await screenshot(page, 'auth-02-logged-in');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByLabel('API token').count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByLabel('API token').count()).toBe(1);
    expect(problems.errors).toEqual([]);
    expect(problems.failedResponses).toEqual(['POST /api/v1/auth/login 401']);
    await page.context().close();
  }, 60_000);

  it('disables write controls for a read-only session', async () => {
    const { page, problems } = await openPage(browser as Browser, server?.url ?? '');
    await page.goto(`${server?.url}/`);
    await page.getByLabel('API token').fill(readOnlyToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByText('role: read-only').count()).toBe(1);
    const toggle = page.getByRole('switch', { name: 'ui_auth paused' });
    await expect.poll(() => toggle.isDisabled()).toBe(true);
    await screenshot(page, 'auth-03-read-only');
    await page.goto(`${server?.url}/#/dags/ui_auth/trigger`);
    await expect.poll(() => page.getByRole('button', { name: 'Trigger', exact: true }).isDisabled()).toBe(true);
    expect(await paused()).toBe(false);
    expect(problems.errors).toEqual([]);
    expect(problems.failedResponses).toEqual([]);
    await page.context().close();
  }, 60_000);
});

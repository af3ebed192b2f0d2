import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { dag } from '../../src/authoring/dag.js';
import { systemClock } from '../../src/clock.js';
import { MemoryLogger } from '../../src/logger.js';
import { StaticDagRegistry } from '../../src/scheduler/dag-registry.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { makeScheduler } from '../engine/harness.js';
import { launchChromium, openPage, screenshot, type PageProblems } from './browser.js';

const DAY = 86_400_000;

/** A DAG with params whose first task fails on its first try when `failFirst` is set. */
function demoDag() {
  const d = dag({
    id: 'ui_demo',
    description: 'Fetches a subreddit and loads it (UI end-to-end test)',
    schedule: '0 6 * * *',
    start: new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10),
    tags: ['reddit', 'e2e'],
    params: z.object({
      subreddit: z.string().min(2).describe('Subreddit name, without r/'),
      limit: z.number().int().min(1).max(100).default(10),
      sort: z.enum(['hot', 'new', 'top']).default('hot'),
      failFirst: z.boolean().default(false),
      keywords: z.array(z.string()).optional(),
    }),
  });
  const fetchPosts = d.task('fetch', async (ctx) => {
    ctx.log.info('fetching posts', { subreddit: ctx.params.subreddit, limit: ctx.params.limit });
    if (ctx.params.failFirst && ctx.tryNumber === 1) throw new Error(`r/${ctx.params.subreddit} answered 429: rate limited (first try)`);
    return Array.from({ length: ctx.params.limit }, (_, i) => ({ id: i }));
  });
  const load = d.task('load', { inputs: { posts: fetchPosts } }, async (ctx, { posts }) => {
    ctx.log.info('loaded posts', { count: posts.length });
    return posts.length;
  });
  d.task('report', { inputs: { n: load } }, async (_ctx, { n }) => `loaded ${n}`);
  return d;
}

/** A manual DAG whose task waits (until aborted) so its run can be marked failed while running. */
function slowDag() {
  const d = dag({ id: 'ui_slow', schedule: null, description: 'Waits; used to mark a running run failed' });
  d.task('wait', async (ctx) => {
    // The executor stores log lines in batches of 200 (and at the end): fill one batch so the tail shows it live.
    for (let i = 0; i < 200; i++) ctx.log.info(`waiting ${i}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });
  return d;
}

/** A daily DAG to backfill. */
function dailyDag() {
  const d = dag({ id: 'ui_daily', schedule: '@daily', start: '2026-11-01', description: 'Backfilled from the UI' });
  const extract = d.task('extract', async (ctx) => [1, 2, 3].map((n) => `${ctx.logicalDate.toISOString()}#${n}`));
  d.map('each', extract, {}, async (_ctx, item) => item.length);
  return d;
}

describe('web UI in Chromium', () => {
  let testDb: TestDatabase | undefined;
  let scheduler: Scheduler | undefined;
  let server: ApiServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: PageProblems = { errors: [], failedResponses: [] };

  const shot = (name: string) => screenshot(page, name);
  const apiGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server?.url}/api/v1${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    testDb = await createTestDatabase('postgres');
    const dags = [demoDag(), slowDag(), dailyDag()];
    const s = makeScheduler(testDb.db.knex, dags, systemClock, {
      loopIntervalMs: 100,
      scanDags: async () => ({ changed: true, errors: new Map([['broken_dag.ts', "SyntaxError: Unexpected token '}' (broken_dag.ts:12:3)"]]) }),
    });
    scheduler = s;
    await s.runOnce(); // syncs the DAGs (and the import error) to the store before the UI asks for them
    s.start();
    server = await startApiServer({
      db: testDb.db,
      registry: new StaticDagRegistry(dags),
      logger: new MemoryLogger(),
      auth: { required: false },
      host: '127.0.0.1',
      port: 0,
      onRunsChanged: () => s.wake(),
    });
    ({ page, problems } = await openPage(browser, server.url));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await scheduler?.stop(2_000);
    await testDb?.drop();
  }, 60_000);

  it('lists DAGs, triggers from the params form, shows the failure, clears it and sees the rerun succeed', async () => {
    await page.goto(`${server?.url}/`);
    const dagLink = page.getByRole('link', { name: 'ui_demo', exact: true });
    await expect.poll(() => dagLink.isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('table', { name: 'DAGs' }).textContent()).toContain('0 6 * * *');
    await expect.poll(() => page.getByRole('region', { name: 'Import errors' }).textContent()).toContain("broken_dag.ts");
    await shot('01-dag-list');

    await page.evaluate('window.__loadedOnce = true'); // gone if the page ever reloads
    await dagLink.click();
    await page.getByRole('link', { name: 'Trigger DAG' }).click();
    // Fields in declaration order.
    await expect.poll(() => page.getByRole('form', { name: 'Trigger ui_demo' }).locator('.field > label').allTextContents())
      .toEqual(['subreddit *', 'limit', 'sort', 'failFirst', 'keywords', 'Logical date', 'Run id']);
    const subreddit = page.getByLabel('subreddit');
    await subreddit.fill('a');
    await page.getByLabel('limit').fill('5');
    await page.getByRole('button', { name: 'Trigger', exact: true }).click();
    // The server's validation message is shown at the field it names.
    await expect.poll(() => page.locator('#param-subreddit-error').textContent()).toMatch(/\S/);
    await shot('02-trigger-form-server-error');

    await subreddit.fill('typescript');
    await page.getByLabel('sort').selectOption('new');
    await page.getByLabel('failFirst').check();
    await page.getByLabel('keywords').fill('typescript\n  node \n');
    await page.getByText('Logical date and run id').click();
    await page.getByLabel('Run id').fill('ui_e2e_run');
    await page.getByRole('button', { name: 'Trigger', exact: true }).click();

    // Back on the grid: the run's column appears, and the failing task turns red without a page reload.
    await expect.poll(() => page.url()).toMatch(/#\/dags\/ui_demo$/);
    await expect.poll(() => page.getByRole('link', { name: /^run ui_e2e_run / }).count()).toBe(1);
    const failedCell = page.getByRole('link', { name: 'fetch in ui_e2e_run: failed' });
    await expect.poll(() => failedCell.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByRole('link', { name: 'load in ui_e2e_run: upstream_failed' }).count()).toBe(1);
    expect(await page.evaluate('window.__loadedOnce')).toBe(true);
    await shot('03-grid-failed');

    // The failed task's log shows the error.
    await failedCell.click();
    await expect.poll(() => page.getByRole('log', { name: 'Log of try 1' }).textContent()).toContain('fetching posts');
    await expect.poll(async () => (await page.locator('main').textContent()) ?? '').toContain('answered 429: rate limited');
    await shot('04-task-log-failed');

    // Clear it (with downstream): the dry run lists what will be cleared, then it reruns and succeeds.
    await page.getByRole('button', { name: 'Clear task' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm clear task' });
    await expect.poll(() => confirm.textContent()).toMatch(/fetch.*load.*report|fetch/);
    await confirm.getByRole('button', { name: 'Confirm clear' }).click();
    await expect.poll(() => page.getByLabel('Task state').textContent(), { timeout: 30_000 }).toBe('success');
    await expect.poll(() => page.getByRole('navigation', { name: 'Attempts' }).textContent()).toContain('Try 2');
    await expect.poll(() => page.getByRole('log', { name: 'Log of try 2' }).textContent()).toContain('fetching posts');
    await shot('05-task-log-rerun');

    await page.getByRole('link', { name: 'ui_e2e_run' }).click();
    await expect.poll(() => page.getByLabel('Run state').textContent(), { timeout: 30_000 }).toBe('success');
    await expect.poll(() => page.getByRole('list', { name: 'Gantt' }).getByRole('listitem').count()).toBe(3);
    await shot('06-run-gantt');

    await page.goto(`${server?.url}/#/dags/ui_demo`);
    await expect.poll(() => page.getByRole('link', { name: 'report in ui_e2e_run: success' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('link', { name: 'run ui_e2e_run success' }).count()).toBe(1);
    await shot('07-grid-success');

    await page.getByRole('navigation', { name: 'DAG views' }).getByRole('link', { name: 'Graph' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'report: success' }).count()).toBe(1);
    await shot('08-graph');

    const run = await apiGet<{ state: string; conf: Record<string, unknown> }>('/dags/ui_demo/runs/ui_e2e_run');
    expect(run.state).toBe('success');
    expect(run.conf).toEqual({ subreddit: 'typescript', limit: 5, sort: 'new', failFirst: true, keywords: ['typescript', 'node'] });
  }, 180_000);

  it('marks a running run failed', async () => {
    await page.goto(`${server?.url}/#/dags/ui_slow/trigger`);
    await page.getByText('Logical date and run id').click();
    await page.getByLabel('Run id').fill('slow_run');
    await page.getByRole('button', { name: 'Trigger', exact: true }).click();
    await expect.poll(() => page.getByRole('link', { name: 'wait in slow_run: running' }).count(), { timeout: 30_000 }).toBe(1);
    // The running attempt's log is tailed live.
    await page.getByRole('link', { name: 'wait in slow_run: running' }).click();
    await expect.poll(() => page.getByRole('log', { name: 'Log of try 1' }).textContent()).toContain('waiting 199');
    await expect.poll(() => page.getByText('● live').count()).toBe(1);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'slow_run' }).click();
    await expect.poll(() => page.getByLabel('Run state').textContent()).toBe('running');
    await page.getByRole('toolbar', { name: 'Run actions' }).getByRole('button', { name: 'Mark failed' }).click();
    await expect.poll(() => page.getByLabel('Run state').textContent()).toBe('failed');
    await shot('09-run-marked-failed');
    const run = await apiGet<{ state: string; taskInstances: { state: string }[] }>('/dags/ui_slow/runs/slow_run');
    expect(run.state).toBe('failed');
    expect(run.taskInstances.map((t) => t.state)).toEqual(['failed']);
  }, 90_000);

  it('pauses and unpauses a DAG from the list, and shows backfills', async () => {
    await page.goto(`${server?.url}/#/`);
    const toggle = page.getByRole('switch', { name: 'ui_demo paused' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    await expect.poll(async () => (await apiGet<{ paused: boolean }>('/dags/ui_demo')).paused).toBe(true);
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await shot('10-dag-paused');
    await toggle.click();
    await expect.poll(async () => (await apiGet<{ paused: boolean }>('/dags/ui_demo')).paused).toBe(false);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backfills' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Backfill list' }).isVisible()).toBe(true);
  }, 60_000);

  it('starts a backfill after a dry run and shows its progress', async () => {
    await page.goto(`${server?.url}/#/dags/ui_daily/backfills`);
    await page.getByLabel('From').fill('2026-11-10');
    await page.getByLabel('To').fill('2026-11-14');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => page.getByLabel('Backfill plan').textContent()).toMatch(/5 run\(s\)/);
    await page.getByRole('button', { name: 'Start backfill' }).click();
    const progress = page.getByRole('progressbar');
    await expect.poll(() => progress.count()).toBe(1);
    await expect.poll(() => progress.getAttribute('aria-valuenow'), { timeout: 30_000 }).toBe('5');
    expect(await progress.getAttribute('aria-valuemax')).toBe('5');
    await screenshot(page, '11-backfill-done');
    await page.getByRole('navigation', { name: 'DAG views' }).getByRole('link', { name: 'Grid' }).click();
    await expect.poll(() => page.getByRole('link', { name: /^extract in backfill__.*: success$/ }).count(), { timeout: 30_000 }).toBe(5);
    await shot('12-grid-backfilled');
    // Generated run ids (with ':' and '+') survive the hash route and the API path.
    await page.getByRole('link', { name: /^extract in backfill__2026-11-12.*: success$/ }).click();
    await expect.poll(() => page.getByLabel('Task state').textContent()).toBe('success');
    expect(decodeURIComponent(page.url())).toContain('/runs/backfill__2026-11-12T00:00:00+00:00/tasks/extract');
    // A mapped task: the grid cell counts its instances; its page lists them.
    await page.getByRole('link', { name: 'ui_daily', exact: true }).click();
    const mappedCell = page.getByRole('link', { name: /^each in backfill__2026-11-12.*: 3 success$/ });
    await expect.poll(() => mappedCell.textContent()).toBe('3');
    await mappedCell.click();
    await page.getByRole('region', { name: 'Mapped instances' }).getByRole('link', { name: '[1]' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Task each[1]');
    await expect.poll(() => page.getByLabel('Task state').textContent()).toBe('success');
    await shot('13-mapped-instance');
  }, 90_000);

  it('lays out a branching DAG in layers (in the browser)', async () => {
    // A string, so the test runner's transform leaves the browser's dynamic import alone.
    const layout = await page.evaluate(`(async () => {
      const { layoutDag, edgePath } = await import('/ui/dag-graph.js');
      const { nodes } = layoutDag([
        { taskId: 'join', upstream: ['left', 'right', 'start'] },
        { taskId: 'start', upstream: [] },
        { taskId: 'left', upstream: ['start'] },
        { taskId: 'right', upstream: ['left'] },
        { taskId: 'side', upstream: ['start'] },
      ]);
      return {
        layers: Object.fromEntries([...nodes].map(([id, n]) => [id, [n.layer, n.order]])),
        // start → join skips two layers and would cross 'right': it is routed around (a straight segment).
        detour: edgePath(nodes.get('start'), nodes.get('join'), nodes).includes(' L '),
        direct: edgePath(nodes.get('start'), nodes.get('left'), nodes).includes(' L '),
      };
    })()`);
    expect(layout).toEqual({ layers: { start: [0, 0], left: [1, 0], side: [1, 1], right: [2, 0], join: [3, 0] }, detour: true, direct: false });
  });

  it('builds conf from a params schema, with client-side hints (in the browser)', async () => {
    const result = await page.evaluate(`(async () => {
      const { schemaFields, buildConf } = await import('/ui/trigger-form.js');
      const fields = schemaFields({
        type: 'object',
        properties: {
          note: { type: 'string' },
          n: { type: 'integer', default: 3 },
          ratio: { type: 'number' },
          mode: { type: 'string', enum: ['a', 'b'] },
          list: { type: 'array', items: { type: 'string' } },
          extra: { type: 'object' },
          name: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        },
        required: ['n', 'ratio', 'name'],
        'x-order': ['name', 'note', 'n', 'ratio', 'mode', 'list', 'extra'],
      });
      return {
        order: fields.map((f) => f.name + ':' + f.kind + (f.required ? '!' : '')),
        ok: buildConf(fields, { note: '', n: '4', ratio: '0.5', mode: 'b', list: 'x\\n\\ny', extra: '{"k":1}', name: 'z' }),
        bad: buildConf(fields, { note: 'x', n: '4.5', ratio: '', mode: '', list: '', extra: '{', name: '' }),
      };
    })()`);
    expect(result).toEqual({
      order: ['name:string!', 'note:string', 'n:integer', 'ratio:number!', 'mode:enum', 'list:string-array', 'extra:json'],
      ok: { conf: { n: 4, ratio: 0.5, mode: 'b', list: ['x', 'y'], extra: { k: 1 }, name: 'z' }, errors: {} },
      bad: { conf: { note: 'x' }, errors: { n: 'must be an integer', ratio: 'required', extra: 'invalid JSON', name: 'required' } },
    });
  });

  it('made no request outside the server and logged no error', () => {
    expect(problems.errors).toEqual([]);
    // The only failed request is the deliberately invalid trigger.
    expect(problems.failedResponses).toEqual(['POST /api/v1/dags/ui_demo/runs 400']);
  });
});

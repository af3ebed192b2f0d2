import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiApp } from '../../src/api/context.js';
import { ApiMetrics } from '../../src/api/metrics.js';
import { ManualClock } from '../../src/clock.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { getRun } from '../../src/store/runs.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { drive, makeScheduler, runFinished } from '../engine/harness.js';
import { call, demoDags, makeApp } from './helpers.js';

describeEachBackend('REST API', (getDb) => {
  const clock = new ManualClock('2026-01-05T00:30:00Z');
  const dags = demoDags();
  const metrics = new ApiMetrics();
  let scheduler: Scheduler;
  let app: ApiApp;
  let codeless: ApiApp;
  const finish = async (dagId: string, runId: string): Promise<void> => {
    const run = await getRun(getDb().knex, dagId, runId);
    if (!run) throw new Error(`no run ${runId}`);
    await drive(scheduler, runFinished(getDb().knex, run.pk));
  };

  beforeAll(async () => {
    scheduler = makeScheduler(getDb().knex, dags, clock);
    await scheduler.runOnce();
    await scheduler.executor?.idle();
    app = makeApp(getDb(), { clock, dags, metrics });
    codeless = makeApp(getDb(), { clock, dags: null });
  });
  afterAll(async () => {
    await scheduler.stop(0);
  });

  it('lists DAGs with next run, last run, recent runs and import errors', async () => {
    const r = await call(app, 'GET', '/api/v1/dags');
    expect(r.status).toBe(200);
    expect(r.body.importErrors).toEqual([]);
    const demo = r.body.dags.find((d: { dagId: string }) => d.dagId === 'api_demo');
    expect(demo).toMatchObject({ schedule: '0 0 * * *', timezone: 'UTC', paused: false, tags: [], owner: null });
    expect(demo.scheduleDescription).toMatch(/day/);
    expect(demo.nextRun).toEqual({
      logicalDate: '2026-01-05T00:00:00.000Z',
      dataIntervalStart: '2026-01-05T00:00:00.000Z',
      dataIntervalEnd: '2026-01-06T00:00:00.000Z',
      createAfter: '2026-01-06T00:00:00.000Z',
    });
    expect(demo.lastRun).toMatchObject({ logicalDate: '2026-01-04T00:00:00.000Z' });
    expect(demo.recentRuns).toHaveLength(1);
    const failing = r.body.dags.find((d: { dagId: string }) => d.dagId === 'api_fail');
    expect(failing).toMatchObject({ schedule: null, scheduleDescription: 'manual only', nextRun: null, lastRun: null });
  });

  it('shows a DAG with its graph and params schema; unknown DAG is a JSON 404', async () => {
    const r = await call(app, 'GET', '/api/v1/dags/api_demo');
    expect(r.status).toBe(200);
    expect(r.body.tasks.map((t: { taskId: string }) => t.taskId)).toEqual(['extract', 'square', 'load']);
    expect(r.body.tasks[1]).toMatchObject({ kind: 'mapped', upstream: ['extract'], triggerRule: 'all_success', group: null });
    expect(r.body.paramsSchema.properties.n.type).toBe('integer');
    expect(r.body.paramsSchema.properties.mode.enum).toEqual(['fast', 'slow']);
    // declaration order survives the jsonb column (which sorts keys by length: n before mode)
    expect(Object.keys(r.body.paramsSchema.properties)).toEqual(['mode', 'n']);
    expect(r.body.paramsDefaults).toEqual({ n: 3, mode: 'fast' });
    const missing = await call(app, 'GET', '/api/v1/dags/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const route = await call(app, 'GET', '/api/v1/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
  });

  it('pauses and unpauses a DAG; validates the body naming the field', async () => {
    expect((await call(app, 'PATCH', '/api/v1/dags/api_demo', { body: { paused: true } })).body.paused).toBe(true);
    expect((await call(app, 'GET', '/api/v1/dags/api_demo')).body.paused).toBe(true);
    expect((await call(app, 'PATCH', '/api/v1/dags/api_demo', { body: { paused: false } })).body.paused).toBe(false);
    const bad = await call(app, 'PATCH', '/api/v1/dags/api_demo', { body: { paused: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_error', field: 'paused' });
    const extra = await call(app, 'PATCH', '/api/v1/dags/api_demo', { body: { paused: true, colour: 'red' } });
    expect(extra.body.error.field).toBe('colour');
    const broken = await call(app, 'PATCH', '/api/v1/dags/api_demo', { body: '{"paused":' });
    expect(broken.body.error).toMatchObject({ code: 'validation_error', field: 'body' });
    expect((await call(app, 'PATCH', '/api/v1/dags/nope', { body: { paused: true } })).status).toBe(404);
  });

  it('triggers a run (201) with conf validated by the DAG code; duplicates are 409', async () => {
    const bad = await call(app, 'POST', '/api/v1/dags/api_demo/runs', { body: { conf: { n: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('conf.n');
    expect(bad.body.error.message).toContain('conf.n');
    const created = await call(app, 'POST', '/api/v1/dags/api_demo/runs', { body: { conf: { n: 2 }, logicalDate: '2026-01-03T00:00:00Z' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      runId: 'manual__2026-01-03T00:00:00+00:00',
      dagId: 'api_demo',
      state: 'queued',
      runType: 'manual',
      logicalDate: '2026-01-03T00:00:00.000Z',
      conf: { n: 2, mode: 'fast' },
      backfillId: null,
      startedAt: null,
    });
    const again = await call(app, 'POST', '/api/v1/dags/api_demo/runs', { body: { logicalDate: '2026-01-03T00:00:00Z' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const date = await call(app, 'POST', '/api/v1/dags/api_demo/runs', { body: { logicalDate: 'yesterday' } });
    expect(date.body.error.field).toBe('logicalDate');
    expect((await call(app, 'POST', '/api/v1/dags/nope/runs', { body: {} })).status).toBe(404);
  });

  it('triggers with only the stored params JSON Schema when the process has no DAG code', async () => {
    const mode = await call(codeless, 'POST', '/api/v1/dags/api_demo/runs', { body: { conf: { mode: 'medium' } } });
    expect(mode.status).toBe(400);
    expect(mode.body.error.field).toBe('conf.mode');
    const n = await call(codeless, 'POST', '/api/v1/dags/api_demo/runs', { body: { conf: { n: 1.5 } } });
    expect(n.body.error.field).toBe('conf.n');
    const zero = await call(codeless, 'POST', '/api/v1/dags/api_demo/runs', { body: { conf: { n: 0 } } });
    expect(zero.body.error.field).toBe('conf.n');
    const ok = await call(codeless, 'POST', '/api/v1/dags/api_demo/runs', { body: { conf: { n: 2 }, logicalDate: '2026-01-02' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ runId: 'manual__2026-01-02T00:00:00+00:00', conf: { n: 2, mode: 'fast' } });
    expect((await call(codeless, 'POST', '/api/v1/dags/api_demo/runs', { body: { logicalDate: '2026-01-02' } })).status).toBe(409);
    expect((await call(codeless, 'POST', '/api/v1/dags/nope/runs', { body: {} })).status).toBe(404);
  });

  it('lists runs newest first with filters and a total; validates the query', async () => {
    const manual = await call(app, 'GET', '/api/v1/dags/api_demo/runs?runType=manual');
    expect(manual.status).toBe(200);
    expect(manual.body.total).toBe(2);
    expect(manual.body.runs.map((r: { logicalDate: string }) => r.logicalDate)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    const page = await call(app, 'GET', '/api/v1/dags/api_demo/runs?limit=1&offset=1');
    expect(page.body.runs).toHaveLength(1);
    expect(page.body.total).toBe(3);
    expect(page.body.runs[0].logicalDate).toBe('2026-01-03T00:00:00.000Z');
    expect((await call(app, 'GET', '/api/v1/dags/api_demo/runs?limit=1000')).body.error.field).toBe('limit');
    expect((await call(app, 'GET', '/api/v1/dags/api_demo/runs?state=nope')).body.error.field).toBe('state');
    expect((await call(app, 'GET', '/api/v1/dags/api_demo/runs?bogus=1')).body.error.field).toBe('bogus');
  });

  it('serves a finished run, its attempts, paged logs with a tail cursor, and the grid', async () => {
    const runId = 'manual__2026-01-03T00:00:00+00:00';
    await finish('api_demo', runId);
    const run = await call(app, 'GET', `/api/v1/dags/api_demo/runs/${encodeURIComponent(runId)}`);
    expect(run.status).toBe(200);
    expect(run.body.state).toBe('success');
    expect(run.body.taskInstances.map((t: { taskId: string; mapIndex: number }) => `${t.taskId}${t.mapIndex}`)).toEqual(['extract-1', 'square0', 'square1', 'load-1']);
    expect(run.body.taskInstances[0]).toMatchObject({ state: 'success', tryNumber: 1, maxTries: 1, queue: 'default', pool: 'default_pool', operator: null });
    expect(typeof run.body.taskInstances[0].durationMs).toBe('number');

    const base = `/api/v1/dags/api_demo/runs/${encodeURIComponent(runId)}/tasks/extract`;
    const attempts = await call(app, 'GET', `${base}/attempts`);
    expect(attempts.body.attempts).toHaveLength(1);
    expect(attempts.body.attempts[0]).toMatchObject({ tryNumber: 1, state: 'success', endedAt: expect.any(String) });

    const first = await call(app, 'GET', `${base}/logs?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.attemptRunning).toBe(false);
    expect(first.body.lines).toHaveLength(2);
    const all = [...first.body.lines];
    let after = first.body.nextAfter as number;
    for (;;) {
      const next = await call(app, 'GET', `${base}/logs?limit=2&after=${after}`);
      if (next.body.lines.length === 0) {
        expect(next.body.nextAfter).toBe(after);
        break;
      }
      all.push(...next.body.lines);
      after = next.body.nextAfter;
    }
    const ours = all.filter((l: { message: string }) => l.message.startsWith('line '));
    expect(ours.map((l: { message: string }) => l.message)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(ours[0]).toMatchObject({ level: 'info', fields: { i: 1 } });
    expect(all.map((l: { id: number }) => l.id)).toEqual([...all.map((l: { id: number }) => l.id)].sort((a, b) => a - b));
    expect((await call(app, 'GET', `${base}/logs?tryNumber=7`)).status).toBe(404);
    expect((await call(app, 'GET', `${base}/logs?limit=5000`)).body.error.field).toBe('limit');
    expect((await call(app, 'GET', `/api/v1/dags/api_demo/runs/${encodeURIComponent(runId)}/tasks/square/logs?mapIndex=1`)).status).toBe(200);
    expect((await call(app, 'GET', `/api/v1/dags/api_demo/runs/${encodeURIComponent(runId)}/tasks/nope/logs`)).status).toBe(404);

    const grid = await call(app, 'GET', '/api/v1/dags/api_demo/grid');
    expect(grid.status).toBe(200);
    expect(grid.body.tasks).toEqual([
      { taskId: 'extract', group: null },
      { taskId: 'square', group: null },
      { taskId: 'load', group: null },
    ]);
    const dates = grid.body.runs.map((r: { logicalDate: string }) => r.logicalDate);
    expect(dates).toEqual([...dates].sort());
    expect(grid.body.cells[runId].square).toEqual({ state: 'success', tryNumber: 1, mapped: { total: 2, byState: { success: 2 } } });
    expect(grid.body.cells[runId].extract).toEqual({ state: 'success', tryNumber: 1, mapped: null });
    expect((await call(app, 'GET', '/api/v1/dags/api_demo/grid?limit=1')).body.runs).toHaveLength(1);
    expect((await call(app, 'GET', '/api/v1/dags/api_demo/grid?limit=0')).body.error.field).toBe('limit');
  });

  it('clears a failed run (failed tasks by default) and one task with its downstream', async () => {
    const created = await call(app, 'POST', '/api/v1/dags/api_fail/runs', { body: {} });
    const runId = created.body.runId as string;
    const path = `/api/v1/dags/api_fail/runs/${encodeURIComponent(runId)}`;
    await finish('api_fail', runId);
    expect((await call(app, 'GET', path)).body.state).toBe('failed');
    const dry = await call(app, 'POST', `${path}/clear`, { body: { dryRun: true } });
    expect(dry.body.cleared).toEqual([
      { taskId: 'b', mapIndex: -1 },
      { taskId: 'c', mapIndex: -1 },
    ]);
    expect((await call(app, 'GET', path)).body.state).toBe('failed');
    const cleared = await call(app, 'POST', `${path}/clear`, { body: {} });
    expect(cleared.body.cleared).toHaveLength(2);
    const after = await call(app, 'GET', path);
    expect(after.body.state).toBe('queued');
    expect(after.body.taskInstances.map((t: { state: string }) => t.state)).toEqual(['success', 'none', 'none']);
    await finish('api_fail', runId);
    const withDown = await call(app, 'POST', `${path}/tasks/a/clear`, { body: { downstream: true, dryRun: true } });
    expect(withDown.body.cleared.map((t: { taskId: string }) => t.taskId)).toEqual(['a', 'b', 'c']);
    const one = await call(app, 'POST', `${path}/tasks/a/clear`, { body: {} });
    expect(one.body.cleared).toEqual([{ taskId: 'a', mapIndex: -1 }]);
    expect((await call(app, 'GET', path)).body.taskInstances.map((t: { state: string }) => t.state)).toEqual(['none', 'failed', 'upstream_failed']);
    expect((await call(app, 'POST', `${path}/tasks/nope/clear`, { body: {} })).status).toBe(404);
    expect((await call(app, 'POST', `${path}/clear`, { body: { onlyFailed: 'no' } })).body.error.field).toBe('onlyFailed');
    expect((await call(app, 'POST', `/api/v1/dags/api_fail/runs/nope/clear`, { body: {} })).status).toBe(404);
  });

  it('marks runs success or failed, finishing unfinished task instances like Airflow', async () => {
    const created = await call(app, 'POST', '/api/v1/dags/api_fail/runs', { body: { logicalDate: '2026-01-01T00:00:00Z' } });
    const path = `/api/v1/dags/api_fail/runs/${encodeURIComponent(created.body.runId as string)}`;
    const failed = await call(app, 'PATCH', path, { body: { state: 'failed' } });
    expect(failed.status).toBe(200);
    expect(failed.body.state).toBe('failed');
    expect((await call(app, 'GET', path)).body.taskInstances.map((t: { state: string }) => t.state)).toEqual(['skipped', 'skipped', 'skipped']);
    const success = await call(app, 'PATCH', path, { body: { state: 'success' } });
    expect(success.body.state).toBe('success');
    expect((await call(app, 'GET', path)).body.taskInstances.map((t: { state: string }) => t.state)).toEqual(['skipped', 'skipped', 'skipped']);
    expect((await call(app, 'PATCH', path, { body: { state: 'running' } })).body.error.field).toBe('state');
    const other = await call(app, 'POST', '/api/v1/dags/api_fail/runs', { body: { logicalDate: '2026-01-02T00:00:00Z' } });
    const otherPath = `/api/v1/dags/api_fail/runs/${encodeURIComponent(other.body.runId as string)}`;
    await call(app, 'PATCH', otherPath, { body: { state: 'success' } });
    expect((await call(app, 'GET', otherPath)).body.taskInstances.map((t: { state: string }) => t.state)).toEqual(['success', 'success', 'success']);
  });

  it('creates backfills (dry run too), lists their progress and cancels them', async () => {
    const dry = await call(app, 'POST', '/api/v1/dags/api_demo/backfills', { body: { from: '2026-01-01', to: '2026-01-03', dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.runs.map((r: { logicalDate: string; action: string }) => `${r.logicalDate.slice(0, 10)} ${r.action}`)).toEqual([
      '2026-01-01 create',
      '2026-01-02 skip',
      '2026-01-03 skip',
    ]);
    const created = await call(app, 'POST', '/api/v1/dags/api_demo/backfills', { body: { from: '2026-01-01', to: '2026-01-03', maxActiveRuns: 1 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ dagId: 'api_demo', state: 'running', reprocess: 'none', total: 1, done: 0, failed: 0 });
    const list = await call(app, 'GET', '/api/v1/backfills?dagId=api_demo');
    expect(list.body.backfills.map((b: { backfillId: string }) => b.backfillId)).toContain(created.body.backfillId);
    const cancelled = await call(app, 'POST', `/api/v1/backfills/${created.body.backfillId as string}/cancel`, { body: {} });
    expect(cancelled.body.state).toBe('cancelled');
    expect((await call(app, 'POST', `/api/v1/backfills/${created.body.backfillId as string}/cancel`, { body: {} })).status).toBe(409);
    expect((await call(app, 'POST', '/api/v1/backfills/999999/cancel', { body: {} })).status).toBe(404);
    expect((await call(app, 'POST', '/api/v1/dags/api_demo/backfills', { body: { from: '2026-01-03', to: '2026-01-01' } })).body.error.field).toBe('to');
    expect((await call(app, 'POST', '/api/v1/dags/api_demo/backfills', { body: { from: '2026-01-01', to: '2026-01-02', reprocess: 'some' } })).body.error.field).toBe('reprocess');
    const noCode = await call(codeless, 'POST', '/api/v1/dags/api_demo/backfills', { body: { from: '2026-01-01', to: '2026-01-02', reprocess: 'all', dryRun: true } });
    // 2026-01-01's queued backfill run was removed by the cancel: it is created again
    expect(noCode.body.runs.map((r: { action: string }) => r.action)).toEqual(['create', 'rerun']);
    expect((await call(app, 'POST', '/api/v1/dags/api_fail/backfills', { body: { from: '2026-01-01', to: '2026-01-02' } })).status).toBe(400);
  });

  it('lists assets with their newest events', async () => {
    const r = await call(app, 'GET', '/api/v1/assets');
    expect(r.status).toBe(200);
    const asset = r.body.assets.find((a: { uri: string }) => a.uri === 's3://bucket/out');
    expect(asset.events.length).toBeGreaterThanOrEqual(1);
    expect(asset.events[0]).toMatchObject({ dagId: 'api_demo', taskId: 'load' });
    expect(asset.lastEventAt).toBe(asset.events[0].at);
  });

  it('serves health, Prometheus metrics and an OpenAPI document listing every route', async () => {
    const health = await call(app, 'GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', store: getDb().kind });
    expect(typeof health.body.schedulerHeartbeatAt).toBe('string');
    metrics.observeIteration({ durationMs: 12, claimLatencyMs: 3, tasksLaunched: 2, runsCreated: 1, tasksQueued: 2 });
    const text = (await call(app, 'GET', '/metrics')).text;
    for (const name of [
      'sluice_dag_runs',
      'sluice_task_instances',
      'sluice_queue_depth',
      'sluice_scheduler_loop_duration_seconds_bucket',
      'sluice_scheduler_claim_latency_seconds_count',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/sluice_dag_runs\{state="success"\} [1-9]/);
    expect(text).toMatch(/sluice_scheduler_loop_duration_seconds_count 1\n/);
    expect(text).toMatch(/sluice_scheduler_claim_latency_seconds_sum 0.003\n/);
    expect(text).toMatch(/sluice_scheduler_tasks_launched_total 2\n/);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_:][a-z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/i);
    }
    const doc = (await call(app, 'GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(listed.sort()).toEqual(
      [
        'GET /health',
        'GET /metrics',
        'GET /api/v1/openapi.json',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/logout',
        'GET /api/v1/auth/session',
        'GET /api/v1/dags',
        'GET /api/v1/dags/{dagId}',
        'PATCH /api/v1/dags/{dagId}',
        'GET /api/v1/dags/{dagId}/grid',
        'GET /api/v1/dags/{dagId}/runs',
        'POST /api/v1/dags/{dagId}/runs',
        'GET /api/v1/dags/{dagId}/runs/{runId}',
        'PATCH /api/v1/dags/{dagId}/runs/{runId}',
        'POST /api/v1/dags/{dagId}/runs/{runId}/clear',
        'GET /api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}/attempts',
        'GET /api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}/logs',
        'POST /api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}/clear',
        'POST /api/v1/dags/{dagId}/backfills',
        'GET /api/v1/backfills',
        'POST /api/v1/backfills/{backfillId}/cancel',
        'GET /api/v1/assets',
      ].sort(),
    );
    expect(doc.paths['/api/v1/dags/{dagId}/runs'].post.requestBody.content['application/json'].schema.properties.conf).toBeDefined();
  });
});

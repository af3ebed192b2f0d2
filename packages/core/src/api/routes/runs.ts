import { clearTaskInstances } from '../../scheduler/clear.js';
import { markDagRun } from '../../scheduler/mark-run.js';
import { listClearTargets } from '../../store/clear-targets.js';
import { listRunPage } from '../../store/run-page.js';
import { listTaskInstances } from '../../store/task-instances.js';
import { addRoute, param, requireDag, requireRun, type ApiApp, type ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { clearRunBody, emptyQuery, markRunBody, readBody, readQuery, runListQuery, triggerBody } from '../schemas.js';
import { runJson, taskInstanceJson } from '../serialize.js';
import { triggerFromApi } from '../trigger.js';

/** Runs of a DAG: list, trigger, show, mark success/failed, clear. */
export function registerRunRoutes(app: ApiApp, ctx: ApiContext): void {
  const knex = ctx.db.knex;

  addRoute(app, ctx, { method: 'get', path: '/api/v1/dags/:dagId/runs', summary: 'List runs (newest logical date first), filtered by state and run type', query: runListQuery }, async (c) => {
    const q = readQuery(c, runListQuery);
    const dag = await requireDag(ctx, param(c, 'dagId'));
    const page = await listRunPage(knex, { dagId: dag.dagId, state: q.state, runType: q.runType, limit: q.limit, offset: q.offset });
    return c.json({ runs: page.runs.map(runJson), total: page.total });
  });

  addRoute(app, ctx, { method: 'post', path: '/api/v1/dags/:dagId/runs', summary: 'Trigger a manual run; conf is validated by the DAG params', body: triggerBody, status: 201 }, async (c) => {
    const body = await readBody(c, triggerBody);
    const run = await triggerFromApi(ctx, param(c, 'dagId'), body);
    ctx.onRunsChanged();
    return c.json(runJson(run), 201);
  });

  addRoute(app, ctx, { method: 'get', path: '/api/v1/dags/:dagId/runs/:runId', summary: 'A run with its task instances', query: emptyQuery }, async (c) => {
    readQuery(c, emptyQuery);
    const run = await requireRun(ctx, param(c, 'dagId'), param(c, 'runId'));
    const structure = await ctx.versions.get(run.dagId, run.versionHash);
    const nodes = new Map((structure?.tasks ?? []).map((t) => [t.id, t]));
    const tis = await listTaskInstances(knex, [run.pk]);
    const order = new Map((structure?.tasks ?? []).map((t, i) => [t.id, i]));
    tis.sort((a, b) => (order.get(a.taskId) ?? 1e9) - (order.get(b.taskId) ?? 1e9) || a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex);
    return c.json({ ...runJson(run), taskInstances: tis.map((ti) => taskInstanceJson(ti, nodes.get(ti.taskId))) });
  });

  addRoute(app, ctx, { method: 'patch', path: '/api/v1/dags/:dagId/runs/:runId', summary: 'Mark a run success or failed (unfinished task instances too)', body: markRunBody }, async (c) => {
    const body = await readBody(c, markRunBody);
    const run = await requireRun(ctx, param(c, 'dagId'), param(c, 'runId'));
    const result = await markDagRun(knex, run.pk, body.state);
    if (!result) throw new ApiError('not_found', `run '${run.runId}' not found`);
    ctx.onRunsChanged();
    return c.json(runJson(result.run));
  });

  addRoute(app, ctx, { method: 'post', path: '/api/v1/dags/:dagId/runs/:runId/clear', summary: 'Clear a run (its failed tasks by default) so they run again', body: clearRunBody }, async (c) => {
    const body = await readBody(c, clearRunBody);
    const run = await requireRun(ctx, param(c, 'dagId'), param(c, 'runId'));
    const structure = await ctx.versions.get(run.dagId, run.versionHash);
    if (!structure) throw new ApiError('conflict', `the DAG version of run '${run.runId}' is not stored`);
    const taskIds = structure.tasks.map((t) => t.id);
    const cleared = await listClearTargets(knex, { runPk: run.pk, taskIds, onlyFailed: body.onlyFailed });
    if (!body.dryRun && cleared.length > 0) {
      await clearTaskInstances(knex, { runPk: run.pk, structure, onlyFailed: body.onlyFailed });
      ctx.onRunsChanged();
    }
    return c.json({ cleared, ...(body.dryRun ? { dryRun: true } : {}) });
  });
}

import { clearTaskInstances, withDownstream } from '../../scheduler/clear.js';
import { listAttempts } from '../../store/attempts.js';
import { listClearTargets } from '../../store/clear-targets.js';
import { getLogLines } from '../../store/logs.js';
import { listTaskInstances } from '../../store/task-instances.js';
import type { DagRunRecord, TaskInstanceRecord } from '../../store/rows.js';
import { addRoute, param, requireRun, type ApiApp, type ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { attemptsQuery, clearTaskBody, logsQuery, readBody, readQuery } from '../schemas.js';
import { attemptJson, logLineJson } from '../serialize.js';

async function requireTaskInstance(ctx: ApiContext, run: DagRunRecord, taskId: string, mapIndex: number): Promise<TaskInstanceRecord> {
  const ti = (await listTaskInstances(ctx.db.knex, [run.pk])).find((t) => t.taskId === taskId && t.mapIndex === mapIndex);
  if (!ti) throw new ApiError('not_found', `task instance '${taskId}'${mapIndex >= 0 ? `[${mapIndex}]` : ''} of run '${run.runId}' not found`);
  return ti;
}

/** Task instances of a run: attempts, logs (paged / live tail), clear one task (optionally downstream). */
export function registerTaskRoutes(app: ApiApp, ctx: ApiContext): void {
  const knex = ctx.db.knex;
  const base = '/api/v1/dags/:dagId/runs/:runId/tasks/:taskId';

  addRoute(app, ctx, { method: 'get', path: `${base}/attempts`, summary: 'Attempts of a task instance, oldest first', query: attemptsQuery }, async (c) => {
    const q = readQuery(c, attemptsQuery);
    const run = await requireRun(ctx, param(c, 'dagId'), param(c, 'runId'));
    const ti = await requireTaskInstance(ctx, run, param(c, 'taskId'), q.mapIndex);
    const attempts = await listAttempts(knex, { runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex });
    return c.json({ attempts: attempts.map(attemptJson) });
  });

  addRoute(
    app,
    ctx,
    { method: 'get', path: `${base}/logs`, summary: 'Log lines of one try (default the latest); poll with after=nextAfter to tail a running attempt', query: logsQuery },
    async (c) => {
      const q = readQuery(c, logsQuery);
      const run = await requireRun(ctx, param(c, 'dagId'), param(c, 'runId'));
      const ti = await requireTaskInstance(ctx, run, param(c, 'taskId'), q.mapIndex);
      const attempts = await listAttempts(knex, { runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex });
      const tryNumber = q.tryNumber ?? attempts.at(-1)?.tryNumber;
      if (tryNumber === undefined) return c.json({ lines: [], nextAfter: q.after ?? null, attemptRunning: false });
      const attempt = attempts.filter((a) => a.tryNumber === tryNumber).at(-1);
      if (!attempt) throw new ApiError('not_found', `try ${tryNumber} of task '${ti.taskId}' not found`, 'tryNumber');
      const lines = await getLogLines(knex, { runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber, afterId: q.after ?? 0, limit: q.limit });
      const attemptRunning = attempt.endedAt === null && ti.state === 'running' && ti.tryNumber === tryNumber;
      return c.json({ lines: lines.map(logLineJson), nextAfter: lines.at(-1)?.id ?? q.after ?? null, attemptRunning });
    },
  );

  addRoute(
    app,
    ctx,
    { method: 'post', path: `${base}/clear`, summary: 'Clear one task (and optionally everything downstream) so it runs again', body: clearTaskBody },
    async (c) => {
      const body = await readBody(c, clearTaskBody);
      const run = await requireRun(ctx, param(c, 'dagId'), param(c, 'runId'));
      const taskId = param(c, 'taskId');
      await requireTaskInstance(ctx, run, taskId, body.mapIndex ?? (await firstMapIndex(ctx, run, taskId)));
      const structure = await ctx.versions.get(run.dagId, run.versionHash);
      if (!structure) throw new ApiError('conflict', `the DAG version of run '${run.runId}' is not stored`);
      const taskIds = body.downstream ? [...withDownstream(structure, [taskId])] : [taskId];
      const cleared = await listClearTargets(knex, { runPk: run.pk, taskIds, onlyFailed: false });
      if (!body.dryRun && cleared.length > 0) {
        await clearTaskInstances(knex, { runPk: run.pk, structure, taskIds, downstream: body.downstream });
        ctx.onRunsChanged();
      }
      return c.json({ cleared, ...(body.dryRun ? { dryRun: true } : {}) });
    },
  );
}

/** The lowest map index of a task in a run (-1 for a plain task), so `mapIndex` may be omitted. */
async function firstMapIndex(ctx: ApiContext, run: DagRunRecord, taskId: string): Promise<number> {
  const tis = (await listTaskInstances(ctx.db.knex, [run.pk])).filter((t) => t.taskId === taskId);
  return tis[0]?.mapIndex ?? -1;
}

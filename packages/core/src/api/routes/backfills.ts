import { cancelBackfill, createBackfill } from '../../scheduler/backfill.js';
import { listBackfillRecords } from '../../store/backfill-list.js';
import { addRoute, param, type ApiApp, type ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { backfillBody, backfillListQuery, emptyQuery, readBody, readQuery } from '../schemas.js';
import { backfillJson } from '../serialize.js';
import { dagForBackfill, toConfError } from '../trigger.js';

async function requireBackfill(ctx: ApiContext, idText: string): Promise<ReturnType<typeof backfillJson>> {
  const id = /^\d{1,15}$/.test(idText) ? Number(idText) : undefined;
  const found = id === undefined ? undefined : (await listBackfillRecords(ctx.db.knex, { id }))[0];
  if (!found) throw new ApiError('not_found', `backfill '${idText}' not found`);
  return backfillJson(found);
}

/** Backfills: create (or dry run), list with progress, cancel. */
export function registerBackfillRoutes(app: ApiApp, ctx: ApiContext): void {
  const knex = ctx.db.knex;

  addRoute(
    app,
    ctx,
    { method: 'post', path: '/api/v1/dags/:dagId/backfills', summary: 'Create a backfill over [from, to] (dryRun lists what it would do)', body: backfillBody, status: 201 },
    async (c) => {
      const body = await readBody(c, backfillBody);
      const dag = await dagForBackfill(ctx, param(c, 'dagId'));
      const from = new Date(body.from);
      const to = new Date(body.to);
      let result;
      try {
        result = await createBackfill(knex, dag, {
          from,
          to,
          reprocess: body.reprocess,
          dryRun: body.dryRun,
          ...(body.maxActiveRuns ? { maxActiveRuns: body.maxActiveRuns } : {}),
          ...(body.conf ? { conf: body.conf } : {}),
        });
      } catch (error) {
        throw toConfError(error);
      }
      if (body.dryRun || result.backfillId === undefined) {
        return c.json({ dryRun: true, runs: result.plan.map((p) => ({ logicalDate: p.interval.start, action: p.action })) });
      }
      ctx.onRunsChanged();
      return c.json(await requireBackfill(ctx, String(result.backfillId)), 201);
    },
  );

  addRoute(app, ctx, { method: 'get', path: '/api/v1/backfills', summary: 'Backfills with progress, newest first', query: backfillListQuery }, async (c) => {
    const q = readQuery(c, backfillListQuery);
    const records = await listBackfillRecords(knex, { dagId: q.dagId, limit: 100 });
    return c.json({ backfills: records.map(backfillJson) });
  });

  addRoute(app, ctx, { method: 'post', path: '/api/v1/backfills/:backfillId/cancel', summary: 'Cancel a running backfill (queued runs removed, running ones finish)', body: emptyQuery }, async (c) => {
    await readBody(c, emptyQuery);
    const current = await requireBackfill(ctx, param(c, 'backfillId'));
    if (!(await cancelBackfill(knex, Number(current.backfillId)))) {
      throw new ApiError('conflict', `backfill ${String(current.backfillId)} is ${String(current.state)}, not running`);
    }
    return c.json(await requireBackfill(ctx, String(current.backfillId)));
  });
}

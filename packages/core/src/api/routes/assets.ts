import { listAssetSummaries } from '../../store/asset-summary.js';
import { addRoute, type ApiApp, type ApiContext } from '../context.js';
import { emptyQuery, readQuery } from '../schemas.js';

const EVENTS_PER_ASSET = 10;

/** `GET /assets`: every asset with events, with its newest events. */
export function registerAssetRoutes(app: ApiApp, ctx: ApiContext): void {
  addRoute(app, ctx, { method: 'get', path: '/api/v1/assets', summary: 'Assets with their newest events', query: emptyQuery }, async (c) => {
    readQuery(c, emptyQuery);
    const assets = await listAssetSummaries(ctx.db.knex, EVENTS_PER_ASSET);
    return c.json({
      assets: assets.map((a) => ({
        uri: a.uri,
        lastEventAt: a.lastEventAt,
        events: a.events.map((e) => ({ id: e.id, at: e.createdAt, dagId: e.dagId || null, runId: e.runId || null, taskId: e.taskId || null, metadata: e.metadata })),
      })),
    });
  });
}

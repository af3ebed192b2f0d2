import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { VersionCache, type DagRegistry } from '../scheduler/dag-registry.js';
import type { Database } from '../store/database.js';
import { latestSchedulerHeartbeat } from '../store/state-counts.js';
import { registerAuth, type AuthOptions } from './auth.js';
import { addRoute, type ApiApp, type ApiContext, type ApiEnv } from './context.js';
import { ApiError, errorResponse } from './errors.js';
import { ApiMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerBackfillRoutes } from './routes/backfills.js';
import { registerDagRoutes } from './routes/dags.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { emptyQuery, readQuery } from './schemas.js';
import { registerUiRoutes } from './ui-assets.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Options of {@link createApiApp}. */
export interface ApiAppOptions {
  /** The metadata store (shared with the scheduler when it runs in the same process). */
  db: Database;
  /** DAG code, when this process has it loaded (the scheduler); else stored versions are used. */
  registry?: DagRegistry;
  logger: Logger;
  auth: AuthOptions;
  /** Source of "now" for manual triggers and next-run times. */
  clock?: Clock;
  /** Metrics to render (the scheduler process passes the ones its loop feeds). */
  metrics?: ApiMetrics;
  /** Called after a run was created, cleared, marked or a DAG unpaused (e.g. `scheduler.wake()`). */
  onRunsChanged?: () => void;
  /** Directory of the web UI's static files (default `packages/core/ui`). */
  uiDir?: string;
}

/**
 * The Sluice HTTP app: `/health`, `/metrics`, the JSON API under `/api/v1` (OpenAPI document at
 * `/api/v1/openapi.json`) and the web UI. Every error is answered as `{ error: { code, message, field? } }`
 * without stack traces. Serve it with {@link startApiServer}, or call `app.request()` in tests.
 */
export function createApiApp(options: ApiAppOptions): ApiApp {
  const app = new Hono<ApiEnv>();
  const metrics = options.metrics ?? new ApiMetrics();
  const ctx: ApiContext = {
    db: options.db,
    registry: options.registry,
    logger: options.logger,
    clock: options.clock ?? systemClock,
    versions: new VersionCache(options.db.knex),
    onRunsChanged: options.onRunsChanged ?? (() => undefined),
    routes: [],
  };
  app.onError((error, c) => errorResponse(c, error, ctx.logger));
  app.notFound((c) => errorResponse(c, new ApiError('not_found', `no route ${c.req.method} ${c.req.path}`), ctx.logger));
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
  });

  addRoute(app, ctx, { method: 'get', path: '/health', summary: 'Liveness: store kind and the last scheduler heartbeat', public: true }, async (c) => {
    return c.json({ status: 'ok', store: options.db.kind, schedulerHeartbeatAt: await latestSchedulerHeartbeat(options.db.knex) });
  });
  addRoute(app, ctx, { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format)', public: true }, async (c) => {
    const text = await metrics.render(options.db.knex);
    return c.body(text, 200, { 'Content-Type': metrics.contentType });
  });
  addRoute(app, ctx, { method: 'get', path: '/api/v1/openapi.json', summary: 'This OpenAPI 3.1 document', query: emptyQuery, public: true }, (c) => {
    readQuery(c, emptyQuery);
    return c.json(buildOpenApiDocument(ctx.routes, pkg.version));
  });

  registerAuth(app, ctx, options.auth);
  registerDagRoutes(app, ctx);
  registerRunRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerBackfillRoutes(app, ctx);
  registerAssetRoutes(app, ctx);
  registerUiRoutes(app, options.uiDir ? { uiDir: options.uiDir } : {});
  return app;
}

export type { ApiApp } from './context.js';

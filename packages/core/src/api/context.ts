import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { Dag } from '../authoring/dag.js';
import type { DagStructure } from '../authoring/structure.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { VersionCache, type DagRegistry } from '../scheduler/dag-registry.js';
import { getDag, type DagRecord } from '../store/dags.js';
import type { Database } from '../store/database.js';
import { getRun } from '../store/runs.js';
import type { DagRunRecord } from '../store/rows.js';
import type { ApiRole } from '../store/api-tokens.js';
import { ApiError } from './errors.js';

/** Hono environment of the API: what the auth middleware puts on the context. */
export interface ApiEnv {
  Variables: {
    /** The caller's role. */
    role: ApiRole;
    /** How the caller authenticated. */
    via: 'open' | 'bearer' | 'cookie';
  };
}

/** The Hono app type of the API. */
export type ApiApp = Hono<ApiEnv>;

/** One documented route: used to register it and to build the OpenAPI document. */
export interface RouteSpec {
  method: 'get' | 'post' | 'patch';
  /** Hono path with `:param` placeholders, e.g. `/api/v1/dags/:dagId`. */
  path: string;
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success status (default 200). */
  status?: number;
  /** Not behind auth (health, metrics, login, session). */
  public?: boolean;
}

/** Everything a route handler needs. */
export interface ApiContext {
  db: Database;
  registry: DagRegistry | undefined;
  logger: Logger;
  clock: Clock;
  versions: VersionCache;
  /** Called after a run was created or cleared (the in-process scheduler wakes up). */
  onRunsChanged: () => void;
  /** Every route registered, in order (the OpenAPI document lists them). */
  routes: RouteSpec[];
}

/** Registers a route and records its spec. */
export function addRoute(app: ApiApp, ctx: ApiContext, spec: RouteSpec, handler: (c: Context<ApiEnv>) => Promise<Response> | Response): void {
  ctx.routes.push(spec);
  app.on(spec.method.toUpperCase(), spec.path, handler as MiddlewareHandler<ApiEnv>);
}

/** The stored DAG or a 404. */
export async function requireDag(ctx: ApiContext, dagId: string): Promise<DagRecord> {
  const dag = await getDag(ctx.db.knex, dagId);
  if (!dag) throw new ApiError('not_found', `DAG '${dagId}' not found`);
  return dag;
}

/** The structure of the DAG's latest stored version (409 when the scheduler has not stored one yet). */
export async function latestStructure(ctx: ApiContext, dag: DagRecord): Promise<DagStructure> {
  const structure = dag.latestVersion ? await ctx.versions.get(dag.dagId, dag.latestVersion) : undefined;
  if (!structure) throw new ApiError('conflict', `DAG '${dag.dagId}' has no stored version yet (has the scheduler parsed it?)`);
  return structure;
}

/** The run or a 404. */
export async function requireRun(ctx: ApiContext, dagId: string, runId: string): Promise<DagRunRecord> {
  const run = await getRun(ctx.db.knex, dagId, runId);
  if (!run) throw new ApiError('not_found', `run '${runId}' of DAG '${dagId}' not found`);
  return run;
}

/** The DAG code from the registry when this process has it loaded. */
export function loadedDag(ctx: ApiContext, dagId: string): Dag<unknown> | undefined {
  return ctx.registry?.get(dagId);
}

/** A path parameter of the matched route (decoded). */
export function param(c: Context<ApiEnv>, name: string): string {
  const value = c.req.param(name) as string | undefined;
  if (value === undefined || value === '') throw new ApiError('not_found', `missing path parameter ${name}`);
  return value;
}

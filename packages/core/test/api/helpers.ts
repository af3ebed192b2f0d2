import { z } from 'zod';
import { createApiApp, type ApiAppOptions } from '../../src/api/app.js';
import type { ApiApp } from '../../src/api/context.js';
import { dag, type Dag } from '../../src/authoring/dag.js';
import { MemoryLogger } from '../../src/logger.js';
import { StaticDagRegistry } from '../../src/scheduler/dag-registry.js';
import type { Database } from '../../src/store/database.js';

/** The DAGs the API tests use: params, logs, mapping, an asset outlet, a failure, a cron schedule. */
export function demoDags(): Dag<unknown>[] {
  const demo = dag({
    id: 'api_demo',
    schedule: '@daily',
    start: '2026-01-01',
    params: z.object({ mode: z.enum(['fast', 'slow']).default('fast'), n: z.number().int().min(1).default(3) }),
  });
  const extract = demo.task('extract', async (ctx) => {
    for (let i = 1; i <= 5; i++) ctx.log.info(`line ${i}`, { i });
    return Array.from({ length: ctx.params.n }, (_, i) => i);
  });
  const square = demo.map('square', extract, {}, async (_ctx, x) => x * x);
  demo.task('load', { inputs: { rows: square }, outlets: ['s3://bucket/out'] }, async (_ctx, { rows }) => rows.length);

  const failing = dag({ id: 'api_fail', schedule: null });
  const a = failing.task('a', async () => 1);
  const b = failing.task('b', { upstream: [a] }, async () => {
    throw new Error('boom');
  });
  failing.task('c', { upstream: [b] }, async () => 3);
  return [demo as unknown as Dag<unknown>, failing as unknown as Dag<unknown>];
}

/** A JSON response read back. */
export interface JsonResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
  text: string;
}

/** Calls the app in process (`app.request`) and parses the JSON answer. */
export async function call(app: ApiApp, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const init: RequestInit = { method, headers: { ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...options.headers } };
  if (options.body !== undefined) init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const res = await app.request(path, init);
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, headers: res.headers, text };
}

/** An app over `db`, by default without auth and with the demo DAGs loaded. */
export function makeApp(db: Database, options: Partial<ApiAppOptions> & { dags?: Dag<unknown>[] | null } = {}): ApiApp {
  const { dags, ...rest } = options;
  const registry = dags === null ? undefined : new StaticDagRegistry(dags ?? demoDags());
  return createApiApp({ db, logger: new MemoryLogger(), auth: { required: false }, ...(registry ? { registry } : {}), ...rest });
}

import type { Context } from 'hono';
import { z } from 'zod';
import { RUN_STATES } from '../states.js';
import { ApiError, fromZodError } from './errors.js';

/** An ISO-8601 date (`2026-01-01`) or date-time with offset, parsed to a Date. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO-8601 date or date-time')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a valid date');

const RUN_TYPES = ['scheduled', 'manual', 'backfill', 'asset'] as const;
const runId = z.string().min(1).max(250).regex(/^[A-Za-z0-9_.:+@-]+$/, 'may contain letters, digits and _ . : + @ -');
const limit = (max: number, def: number): z.ZodDefault<z.ZodCoercedNumber<unknown>> => z.coerce.number().int().min(1).max(max).default(def);
const mapIndex = z.coerce.number().int().min(-1).default(-1);

/** `PATCH /dags/{dagId}` body. */
export const patchDagBody = z.strictObject({ paused: z.boolean() });
/** `GET /dags/{dagId}/runs` query. */
export const runListQuery = z.strictObject({
  state: z.enum(RUN_STATES).optional(),
  runType: z.enum(RUN_TYPES).optional(),
  limit: limit(100, 25),
  offset: z.coerce.number().int().min(0).default(0),
});
/** `POST /dags/{dagId}/runs` body: `conf` is then validated by the DAG's params. */
export const triggerBody = z.strictObject({
  conf: z.record(z.string(), z.unknown()).optional(),
  logicalDate: isoDate.optional(),
  runId: runId.optional(),
});
/** `PATCH /dags/{dagId}/runs/{runId}` body. */
export const markRunBody = z.strictObject({ state: z.enum(['success', 'failed']) });
/** `POST /dags/{dagId}/runs/{runId}/clear` body. */
export const clearRunBody = z.strictObject({ onlyFailed: z.boolean().default(true), dryRun: z.boolean().default(false) });
/** `GET …/tasks/{taskId}/attempts` query. */
export const attemptsQuery = z.strictObject({ mapIndex });
/** `GET …/tasks/{taskId}/logs` query: `after` is the last line id seen (live tail). */
export const logsQuery = z.strictObject({
  mapIndex,
  tryNumber: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: limit(1000, 500),
});
/** `POST …/tasks/{taskId}/clear` body. */
export const clearTaskBody = z.strictObject({
  mapIndex: z.number().int().min(-1).optional(),
  downstream: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});
/** `GET /dags/{dagId}/grid` query. */
export const gridQuery = z.strictObject({ limit: limit(100, 25) });
/** `POST /dags/{dagId}/backfills` body. */
export const backfillBody = z.strictObject({
  from: isoDate,
  to: isoDate,
  reprocess: z.enum(['none', 'failed', 'all']).default('none'),
  maxActiveRuns: z.number().int().min(1).max(64).optional(),
  dryRun: z.boolean().default(false),
  conf: z.record(z.string(), z.unknown()).optional(),
});
/** `GET /backfills` query. */
export const backfillListQuery = z.strictObject({ dagId: z.string().min(1).optional() });
/** `POST /auth/login` body. */
export const loginBody = z.strictObject({ token: z.string().min(1).max(200) });
/** Endpoints without a query accept none. */
export const emptyQuery = z.strictObject({});

/** Parses the query string with `schema`; a bad or unknown parameter is a 400 naming it. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw fromZodError(parsed.error, '', 'query');
  return parsed.data;
}

/**
 * Parses the JSON body with `schema` (an empty body is `{}`); a body without `Content-Type: application/json`,
 * malformed JSON or a bad field is a 400.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '') {
    // A JSON content type cannot be sent cross-site without a CORS preflight (which this API never grants).
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new ApiError('validation_error', 'body: send JSON with Content-Type: application/json', 'body');
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError('validation_error', 'body: not valid JSON', 'body');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError(parsed.error, '', 'body');
  return parsed.data;
}

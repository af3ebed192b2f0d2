import type { Dag } from '../authoring/dag.js';
import type { DagStructure } from '../authoring/structure.js';
import { isErrorNamed, ValidationError } from '../errors.js';
import { manualDataInterval } from '../scheduling/intervals.js';
import { triggerDagRun } from '../scheduler/trigger.js';
import { createDagRun } from '../store/create-run.js';
import type { DagRecord } from '../store/dags.js';
import type { DagRunRecord } from '../store/rows.js';
import { latestStructure, loadedDag, requireDag, type ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { checkJsonSchema } from './json-schema-check.js';

/**
 * Validates `conf` by the params JSON Schema stored with the DAG version (for a process without the DAG
 * code), after applying the stored defaults (shallow). A DAG without params accepts any object; a DAG
 * whose params could not be represented as JSON Schema cannot be checked here (409).
 */
export function validateConfByStoredSchema(structure: DagStructure, conf: Record<string, unknown>): Record<string, unknown> {
  if (structure.paramsSchema === undefined) return conf;
  if (structure.paramsSchema === null) {
    throw new ApiError(
      'conflict',
      `DAG '${structure.dagId}' has params that cannot be checked without its code; trigger it from the scheduler's API or the CLI`,
    );
  }
  const value = { ...(structure.paramsDefaults ?? {}), ...conf };
  const problem = checkJsonSchema(structure.paramsSchema, value);
  if (problem) {
    const field = ['conf', ...problem.path].join('.');
    throw new ApiError('validation_error', `${field}: ${problem.message}`, field);
  }
  return value;
}

/** Rewrites a params ValidationError (`params.x`) from the DAG code into the API's `conf.x` field. */
function toConfError(error: unknown): unknown {
  if (!isErrorNamed(error, 'ValidationError')) return error;
  const e = error as ValidationError;
  if (e.field === 'logicalDate' && /already has a run/.test(e.message)) return new ApiError('conflict', e.message, 'logicalDate');
  if (!e.field || !(e.field === 'params' || e.field.startsWith('params.') || e.field === 'conf')) return error;
  const field = e.field === 'params' ? 'conf' : `conf${e.field.slice('params'.length)}`;
  const reason = e.message.split(`${e.field}: `).slice(1).join(`${e.field}: `) || e.message;
  return new ApiError('validation_error', `${field}: ${reason}`, field, { cause: error });
}

/**
 * Creates a manual run from the API. With the DAG code loaded (the scheduler process) it uses
 * `triggerDagRun` (conf validated by the zod params); otherwise it uses the latest stored version and its
 * params JSON Schema. A run already existing for the logical date or run id is a 409.
 */
export async function triggerFromApi(
  ctx: ApiContext,
  dagId: string,
  body: { conf?: Record<string, unknown> | undefined; logicalDate?: string | undefined; runId?: string | undefined },
): Promise<DagRunRecord> {
  const now = ctx.clock.now();
  const logicalDate = body.logicalDate ? new Date(body.logicalDate) : now;
  const dag = loadedDag(ctx, dagId);
  try {
    if (dag) return await triggerDagRun(ctx.db.knex, dag, { conf: body.conf ?? {}, logicalDate, ...(body.runId ? { runId: body.runId } : {}) }, now);
    const record = await requireDag(ctx, dagId);
    const structure = await latestStructure(ctx, record);
    const conf = validateConfByStoredSchema(structure, body.conf ?? {});
    const interval = manualDataInterval(logicalDate);
    const run = await createDagRun(ctx.db.knex, {
      structure,
      versionHash: record.latestVersion as string,
      logicalDate,
      dataIntervalStart: interval.start,
      dataIntervalEnd: interval.end,
      runType: 'manual',
      conf,
      ...(body.runId ? { runId: body.runId } : {}),
    });
    if (!run) throw new ApiError('conflict', `DAG ${dagId} already has a run for logical date ${logicalDate.toISOString()} or run id ${body.runId ?? ''}`.trim(), 'logicalDate');
    return run;
  } catch (error) {
    throw toConfError(error);
  }
}

/**
 * The DAG for a backfill: the loaded code, or, in a process without it, a stand-in built from the latest
 * stored version that offers what `createBackfill` uses (id, file, structure, params check). Its version
 * hash is the stored one, since the structure is the stored JSON.
 */
export async function dagForBackfill(ctx: ApiContext, dagId: string): Promise<Dag<unknown>> {
  const loaded = loadedDag(ctx, dagId);
  if (loaded) return loaded;
  const record: DagRecord = await requireDag(ctx, dagId);
  const structure = await latestStructure(ctx, record);
  const standIn = {
    id: record.dagId,
    file: record.filePath ?? undefined,
    options: { pausedOnCreation: record.isPaused },
    structure: () => structure,
    parseParams: (conf: unknown) => validateConfByStoredSchema(structure, (conf ?? {}) as Record<string, unknown>),
  };
  return standIn as unknown as Dag<unknown>;
}

export { toConfError };

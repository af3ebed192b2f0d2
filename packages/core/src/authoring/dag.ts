import { z } from 'zod';
import { DagDefinitionError, ValidationError } from '../errors.js';
import type { Notifier } from './task.js';
import type { Schedule } from './schedule.js';
import type { Duration } from './duration.js';
import { dagOptionsSchema, type ParsedDagOptions } from './dag-options.js';
import { TaskBuilder, type TaskDefinition } from './task-builder.js';
import type { DagStructure, TaskNode } from './structure.js';
import { hashDagStructure } from './structure.js';
import { buildTaskNode } from './task-node.js';
import { validateDagGraph } from './validate.js';
import type { TaskOptions } from './task.js';

const DAG_BRAND = Symbol.for('sluice.dag');

/** Options of {@link dag}. */
export interface DagOptions<S extends z.ZodType | undefined = undefined> {
  /** DAG id: letters, digits, `_`, `-`, `.`. */
  id: string;
  /** Cron (5/6 fields) or preset, `'@once'`, `{ every: '15m' }`, `{ assets: [...] }`, or null (manual only). */
  schedule?: Schedule;
  /** Earliest data interval start. Required for time schedules. */
  start?: Date | string;
  /** Last data interval start (inclusive). */
  end?: Date | string;
  /** IANA timezone the cron is evaluated in. Default `UTC`. */
  timezone?: string;
  /** Create every missed interval since `start`. Default false. */
  catchup?: boolean;
  /** Runs active at once. Default 16. */
  maxActiveRuns?: number;
  /** Task instances running at once across the DAG's runs. Default 16. */
  maxActiveTasks?: number;
  /** Defaults for every task (Airflow's `default_args`). */
  defaultTaskOptions?: TaskOptions;
  tags?: string[];
  description?: string;
  /** zod schema of the run params (`conf`), with defaults. */
  params?: S;
  /** A run not finished this long after its data interval end is an SLA miss (notified). */
  sla?: Duration;
  /** Notifiers for every task and SLA misses of this DAG. */
  notifiers?: readonly Notifier[];
  /** New DAGs start paused. Default false. */
  pausedOnCreation?: boolean;
}

type ParamsOf<S> = S extends z.ZodType ? z.output<S> : Record<string, unknown>;

/** A DAG: a schedule and a graph of tasks. Build it with {@link dag}. */
export class Dag<P = Record<string, unknown>> extends TaskBuilder<P> {
  /** Brand so DAGs from any copy of @sluice/core are recognised. */
  readonly [DAG_BRAND] = true;
  /** Parsed options. */
  readonly options: ParsedDagOptions;
  /** The file the DAG was loaded from (set by the loader). */
  file?: string;

  constructor(options: ParsedDagOptions) {
    super(new Map<string, TaskDefinition>(), '');
    this.options = options;
  }

  /** The DAG id. */
  get id(): string {
    return this.options.id;
  }

  /** Every task definition, in insertion order. */
  listTasks(): TaskDefinition[] {
    return [...this.registry.values()];
  }

  /** The task definition with this id, or undefined. */
  getTask(id: string): TaskDefinition | undefined {
    return this.registry.get(id);
  }

  /** Validates params (a manual trigger's `conf`), applying defaults; throws ValidationError naming the field. */
  parseParams(conf: unknown): P {
    const schema = this.options.params;
    if (!schema) {
      if (conf !== undefined && conf !== null && (typeof conf !== 'object' || Array.isArray(conf))) {
        throw new ValidationError(`DAG ${this.id}: conf must be a JSON object`, 'conf', this.file);
      }
      return (conf ?? {}) as P;
    }
    const result = schema.safeParse(conf ?? {});
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = ['params', ...(issue?.path ?? []).map(String)].join('.');
      throw new ValidationError(`DAG ${this.id}: ${field}: ${issue?.message ?? 'invalid'}`, field, this.file);
    }
    return result.data as P;
  }

  /** Validates the graph (cycles, dangling references, mapping) and returns the serialisable structure. */
  structure(): DagStructure {
    const order = validateDagGraph(this);
    const tasks: TaskNode[] = order.map((id) => buildTaskNode(this.registry.get(id) as TaskDefinition, this.options));
    const o = this.options;
    let paramsDefaults: Record<string, unknown> | undefined;
    let paramsSchema: Record<string, unknown> | null | undefined;
    if (o.params) {
      const parsed = o.params.safeParse({});
      if (parsed.success && parsed.data && typeof parsed.data === 'object') paramsDefaults = parsed.data as Record<string, unknown>;
      paramsSchema = paramsJsonSchema(o.params);
    }
    return {
      dagId: o.id,
      schedule: o.schedule,
      start: o.start?.toISOString(),
      end: o.end?.toISOString(),
      timezone: o.timezone,
      catchup: o.catchup,
      maxActiveRuns: o.maxActiveRuns,
      maxActiveTasks: o.maxActiveTasks,
      slaMs: o.sla,
      tags: o.tags,
      description: o.description,
      paramsDefaults,
      paramsSchema,
      tasks,
    };
  }

  /** The DAG version: hash of {@link structure}. */
  versionHash(): string {
    return hashDagStructure(this.structure());
  }
}

/** The params' JSON Schema (input side), or null when zod cannot represent it (transforms, custom checks). */
function paramsJsonSchema(schema: z.ZodType): Record<string, unknown> | null {
  try {
    return withPropertyOrder(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>);
  } catch {
    return null;
  }
}

/** Adds `x-order` (the declared property order) to every object schema: the store's jsonb does not keep key order. */
function withPropertyOrder(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties;
  if (properties && typeof properties === 'object') {
    for (const child of Object.values(properties)) if (child && typeof child === 'object') withPropertyOrder(child as Record<string, unknown>);
    schema['x-order'] = Object.keys(properties);
  }
  return schema;
}

/** True when `value` is a DAG built by any copy of @sluice/core. */
export function isDag(value: unknown): value is Dag<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DAG_BRAND] === true;
}

/**
 * Creates a DAG. Options are validated with zod; a bad option throws a ValidationError naming the field.
 *
 * @example
 * const d = dag({ id: 'etl', schedule: '@daily', start: '2026-01-01' });
 * const extract = d.task('extract', async () => [1, 2, 3]);
 * d.task('load', { inputs: { rows: extract } }, async (ctx, { rows }) => rows.length);
 * export default d;
 */
export function dag<S extends z.ZodType | undefined = undefined>(options: DagOptions<S>): Dag<ParamsOf<S>> {
  const result = dagOptionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = (issue?.path ?? []).map(String).join('.');
    const id = typeof options?.id === 'string' ? options.id : '?';
    throw new ValidationError(`DAG ${id}: option '${field}': ${issue?.message ?? 'invalid'}`, field);
  }
  return new Dag<ParamsOf<S>>(result.data);
}

export { DagDefinitionError };

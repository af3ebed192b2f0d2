import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { PokeResult, TaskContext } from './task.js';

const OPERATOR_BRAND = Symbol.for('sluice.operator');
const SENSOR_BRAND = Symbol.for('sluice.sensor');

/** How a plugin describes an operator: a reusable task factory with validated, templated fields. */
export interface OperatorDefinition<Schema extends z.ZodType, Out> {
  /** Stable name, `<plugin>.<operator>`, e.g. `aws.s3-upload`. */
  name: string;
  /** zod schema of the operator's fields; validated when the operator is created in a DAG file. */
  fields: Schema;
  /** Fields whose string values (also inside arrays/objects) are rendered as templates before `execute`. */
  templateFields?: readonly string[];
  /** Does the work; `inputs` are the upstream outputs named in the task's `inputs`. */
  execute(ctx: TaskContext, fields: z.output<Schema>, inputs: Record<string, unknown>): Promise<Out>;
}

/** How a plugin describes a sensor: a reusable poke function with validated, templated fields. */
export interface SensorDefinition<Schema extends z.ZodType, Out> {
  name: string;
  fields: Schema;
  templateFields?: readonly string[];
  /** One check; `true` / `{ done: true, output }` ends the wait. */
  poke(ctx: TaskContext, fields: z.output<Schema>, inputs: Record<string, unknown>): Promise<PokeResult<Out>>;
}

/** An operator configured for one task; pass it to `dag.task(id, operator, options)`. */
export interface OperatorInstance<Out> {
  readonly [OPERATOR_BRAND]: true;
  readonly operatorName: string;
  /** Phantom output type. */
  readonly __output?: Out;
  run(ctx: TaskContext, inputs: Record<string, unknown>): Promise<Out>;
}

/** A sensor configured for one task; pass it to `dag.sensor(id, sensor, options)`. */
export interface SensorInstance<Out> {
  readonly [SENSOR_BRAND]: true;
  readonly sensorName: string;
  readonly __output?: Out;
  poke(ctx: TaskContext, inputs: Record<string, unknown>): Promise<PokeResult<Out>>;
}

/** True when `value` is an {@link OperatorInstance} (from any copy of @sluice/core). */
export function isOperatorInstance(value: unknown): value is OperatorInstance<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OPERATOR_BRAND] === true;
}

/** True when `value` is a {@link SensorInstance}. */
export function isSensorInstance(value: unknown): value is SensorInstance<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SENSOR_BRAND] === true;
}

function parseFields<Schema extends z.ZodType>(name: string, schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new ValidationError(`operator ${name}: field '${field}': ${issue?.message ?? 'invalid'}`, field);
  }
  return result.data;
}

async function renderDeep(ctx: TaskContext, value: unknown): Promise<unknown> {
  if (typeof value === 'string') return ctx.render(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderDeep(ctx, v)));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderDeep(ctx, v);
    return out;
  }
  return value;
}

/** Renders the named template fields of `fields` (strings, also nested) over the task context. */
export async function renderTemplateFields<F>(ctx: TaskContext, fields: F, names: readonly string[] = []): Promise<F> {
  const copy = { ...(fields as Record<string, unknown>) };
  for (const name of names) {
    if (name in copy) copy[name] = await renderDeep(ctx, copy[name]);
  }
  return copy as F;
}

/** Defines an operator; returns a factory that validates fields and yields an {@link OperatorInstance}. */
export function defineOperator<Schema extends z.ZodType, Out>(
  definition: OperatorDefinition<Schema, Out>,
): (fields: z.input<Schema>) => OperatorInstance<Out> {
  return (input) => {
    const fields = parseFields(definition.name, definition.fields, input);
    return {
      [OPERATOR_BRAND]: true,
      operatorName: definition.name,
      run: async (ctx, inputs) =>
        definition.execute(ctx, await renderTemplateFields(ctx, fields, definition.templateFields), inputs),
    };
  };
}

/** Defines a sensor; returns a factory that validates fields and yields a {@link SensorInstance}. */
export function defineSensor<Schema extends z.ZodType, Out = undefined>(
  definition: SensorDefinition<Schema, Out>,
): (fields: z.input<Schema>) => SensorInstance<Out> {
  return (input) => {
    const fields = parseFields(definition.name, definition.fields, input);
    return {
      [SENSOR_BRAND]: true,
      sensorName: definition.name,
      poke: async (ctx, inputs) =>
        definition.poke(ctx, await renderTemplateFields(ctx, fields, definition.templateFields), inputs),
    };
  };
}

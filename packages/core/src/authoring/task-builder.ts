import { ValidationError } from '../errors.js';
import { isOperatorInstance, isSensorInstance, type OperatorInstance, type SensorInstance } from './operator.js';
import { TASK_ID_PATTERN, taskOptionsSchema, type ParsedTaskOptions } from './dag-options.js';
import type { TaskKind } from './structure.js';
import type {
  BranchResult,
  ElementOf,
  MapFunction,
  PokeResult,
  SensorOptions,
  TaskContext,
  TaskFunction,
  TaskInputs,
  TaskRef,
  TaskWiring,
} from './task.js';

/** A task as defined in a DAG file, with its function. Used by the executor. */
export interface TaskDefinition {
  id: string;
  kind: TaskKind;
  operator?: string | undefined;
  /** The task's own options (DAG defaults are merged by {@link effectiveTaskOptions}). */
  options: ParsedTaskOptions;
  /** Local input name → upstream task id. */
  inputs: Record<string, string>;
  /** Every direct upstream id (inputs and explicit dependencies). */
  upstream: Set<string>;
  mapOver?: string | undefined;
  /**
   * Runs the task body. Plain tasks and mapped tasks return their output; branches return the ids to
   * follow (string[]); sensors return a {@link PokeResult}.
   */
  run(ctx: TaskContext<unknown>, inputs: Record<string, unknown>, item: unknown): Promise<unknown>;
}

class TaskHandle<T> implements TaskRef<T> {
  declare readonly __output?: T;
  constructor(
    readonly id: string,
    private readonly registry: Map<string, TaskDefinition>,
  ) {}
  then<N extends TaskRef | readonly TaskRef[]>(next: N): N {
    const list = (Array.isArray(next) ? next : [next]) as readonly TaskRef[];
    for (const n of list) n.after(this);
    return next;
  }
  after(...upstream: readonly TaskRef[]): this {
    const def = this.registry.get(this.id);
    if (!def) throw new ValidationError(`task ${this.id} is not in this DAG`, this.id);
    for (const u of upstream) def.upstream.add(u.id);
    return this;
  }
}

function refIds(refs: readonly (string | TaskRef)[]): string[] {
  return refs.map((r) => (typeof r === 'string' ? r : r.id));
}

/** Builds tasks into a DAG (or a task group of it). `Dag` extends this; `group()` yields a prefixed one. */
export class TaskBuilder<P> {
  constructor(
    protected readonly registry: Map<string, TaskDefinition>,
    private readonly prefix: string,
  ) {}

  private register(
    localId: string,
    kind: TaskKind,
    wiring: TaskWiring<TaskInputs> & SensorOptions & { maxActiveMapped?: number },
    run: TaskDefinition['run'],
    extra: { mapOver?: string; operator?: string } = {},
  ): string {
    if (!TASK_ID_PATTERN.test(localId)) {
      throw new ValidationError(`task id '${localId}' must match [A-Za-z0-9][A-Za-z0-9_-]*`, 'taskId');
    }
    const id = this.prefix + localId;
    if (this.registry.has(id)) throw new ValidationError(`duplicate task id '${id}'`, id);
    const { inputs = {}, upstream = [], ...rest } = wiring;
    const parsed = taskOptionsSchema.safeParse(rest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = (issue?.path ?? []).map(String).join('.');
      throw new ValidationError(`task ${id}: option '${field}': ${issue?.message ?? 'invalid'}`, `${id}.${field}`);
    }
    const inputIds: Record<string, string> = {};
    for (const [name, ref] of Object.entries(inputs)) {
      if (!ref || typeof ref.id !== 'string') throw new ValidationError(`task ${id}: input '${name}' is not a task reference`, `${id}.inputs.${name}`);
      inputIds[name] = ref.id;
    }
    const up = new Set<string>([...Object.values(inputIds), ...refIds(upstream)]);
    if (extra.mapOver) up.add(extra.mapOver);
    this.registry.set(id, { id, kind, operator: extra.operator, options: parsed.data, inputs: inputIds, upstream: up, mapOver: extra.mapOver, run });
    return id;
  }

  /** Adds a task: an async function `(ctx, inputs) => output`, or an operator instance. */
  task<Out>(id: string, body: TaskFunction<P, Record<never, never>, Out> | OperatorInstance<Out>): TaskRef<Awaited<Out>>;
  task<In extends TaskInputs, Out>(
    id: string,
    options: TaskWiring<In>,
    body: TaskFunction<P, In, Out> | OperatorInstance<Out>,
  ): TaskRef<Awaited<Out>>;
  task(id: string, a: unknown, b?: unknown): TaskRef<unknown> {
    const [options, body] = (b === undefined ? [{}, a] : [a, b]) as [TaskWiring, unknown];
    if (isOperatorInstance(body)) {
      const op = body;
      return new TaskHandle(this.register(id, 'task', options, (ctx, inputs) => op.run(ctx as TaskContext, inputs), { operator: op.operatorName }), this.registry);
    }
    if (typeof body !== 'function') throw new ValidationError(`task ${this.prefix + id}: body must be a function or an operator`, id);
    const fn = body as (ctx: unknown, inputs: unknown) => unknown;
    return new TaskHandle(this.register(id, 'task', options, async (ctx, inputs) => fn(ctx, inputs)), this.registry);
  }

  /** Adds a mapped task: one instance per element of `over`'s array output; downstreams read all outputs in order. */
  map<Over extends TaskRef<readonly unknown[]>, In extends TaskInputs, Out>(
    id: string,
    over: Over,
    options: TaskWiring<In> & { maxActiveMapped?: number },
    body: MapFunction<P, ElementOf<NonNullable<Over['__output']>>, In, Out>,
  ): TaskRef<Awaited<Out>[]> {
    if (typeof body !== 'function') throw new ValidationError(`task ${this.prefix + id}: body must be a function`, id);
    const fn = body as (ctx: unknown, item: unknown, inputs: unknown) => unknown;
    const registered = this.register(id, 'map', options, async (ctx, inputs, item) => fn(ctx, item, inputs), { mapOver: over.id });
    return new TaskHandle(registered, this.registry);
  }

  /** Adds a branch: returns the direct downstream tasks to follow; the others are skipped. */
  branch<In extends TaskInputs>(
    id: string,
    options: TaskWiring<In>,
    body: (ctx: TaskContext<P>, inputs: { [K in keyof In]: NonNullable<In[K]['__output']> }) => BranchResult | Promise<BranchResult>,
  ): TaskRef<string[]> {
    const fn = body as (ctx: unknown, inputs: unknown) => Promise<BranchResult> | BranchResult;
    const run = async (ctx: unknown, inputs: unknown): Promise<string[]> => {
      const result = await fn(ctx, inputs);
      const list = (Array.isArray(result) ? result : [result]) as (string | TaskRef)[];
      return refIds(list);
    };
    return new TaskHandle(this.register(id, 'branch', options, run), this.registry);
  }

  /** Adds a sensor: `poke` is called every `pokeInterval` until it returns true (or `{ done: true, output }`). */
  sensor<In extends TaskInputs, Out = undefined>(
    id: string,
    options: TaskWiring<In> & SensorOptions,
    poke:
      | ((ctx: TaskContext<P>, inputs: { [K in keyof In]: NonNullable<In[K]['__output']> }) => PokeResult<Out> | Promise<PokeResult<Out>>)
      | SensorInstance<Out>,
  ): TaskRef<Out> {
    if (isSensorInstance(poke)) {
      const s = poke;
      return new TaskHandle(this.register(id, 'sensor', options, (ctx, inputs) => s.poke(ctx as TaskContext, inputs), { operator: s.sensorName }), this.registry);
    }
    const fn = poke as (ctx: unknown, inputs: unknown) => unknown;
    return new TaskHandle(this.register(id, 'sensor', options, async (ctx, inputs) => fn(ctx, inputs)), this.registry);
  }

  /** A task group: tasks added through `build`'s builder get ids prefixed with `<groupId>.`. */
  group<R>(groupId: string, build: (group: TaskBuilder<P>) => R): R {
    if (!TASK_ID_PATTERN.test(groupId)) throw new ValidationError(`group id '${groupId}' must match [A-Za-z0-9][A-Za-z0-9_-]*`, 'groupId');
    return build(new TaskBuilder<P>(this.registry, `${this.prefix}${groupId}.`));
  }
}

/** Wires tasks in sequence: `chain(a, b, [c, d], e)` makes a → b → {c, d} → e. */
export function chain(...steps: readonly (TaskRef | readonly TaskRef[])[]): void {
  for (let i = 1; i < steps.length; i++) {
    const prev = steps[i - 1] as TaskRef | readonly TaskRef[];
    const next = steps[i] as TaskRef | readonly TaskRef[];
    const prevList = (Array.isArray(prev) ? prev : [prev]) as readonly TaskRef[];
    const nextList = (Array.isArray(next) ? next : [next]) as readonly TaskRef[];
    for (const n of nextList) n.after(...prevList);
  }
}

/** Recognises sensor results. */
export function isPokeDone(result: unknown): { done: boolean; output: unknown } {
  if (result === true) return { done: true, output: undefined };
  if (result && typeof result === 'object' && (result as { done?: unknown }).done === true) {
    return { done: true, output: (result as { output?: unknown }).output };
  }
  return { done: false, output: undefined };
}

import type { TaskNode } from '../authoring/structure.js';
import type { TaskContext } from '../authoring/task.js';
import { isPokeDone, type TaskDefinition } from '../authoring/task-builder.js';
import { SensorTimeoutError, TaskTimeoutError } from '../errors.js';
import type { AttemptResult } from '../scheduling/retry.js';

/** What invoking a task body produced. */
export interface Invocation {
  result: AttemptResult;
  output?: unknown;
}

/** Sleeps `ms`, resolving early (with false) when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One line describing an error, `Name: message` (callers redact secrets). */
export function describeError(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as { name?: string; message?: string };
    return `${e.name ?? 'Error'}: ${e.message ?? ''}`;
  }
  return `Error: ${String(error)}`;
}

/** Maps a thrown error to an attempt result by its name (works across copies of @sluice/core). */
export function classifyError(error: unknown): AttemptResult {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const message = describeError(error);
  switch (name) {
    case 'SkipError':
      return { kind: 'skip' };
    case 'FailNowError':
      return { kind: 'fail_now', error: message };
    case 'TaskTimeoutError':
      return { kind: 'timeout', error: message };
    case 'SensorTimeoutError':
      return { kind: 'sensor_timeout', error: message };
    default:
      return { kind: 'error', error: message };
  }
}

/** Runs `body` under the task timeout: the controller aborts and the attempt fails even if the body ignores it. */
export async function runWithTimeout<T>(body: () => Promise<T>, timeoutMs: number | undefined, controller: AbortController): Promise<T> {
  if (timeoutMs === undefined) return body();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TaskTimeoutError(`task exceeded its timeout of ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([body(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Inputs of one in-process invocation. */
export interface InvokeArgs {
  def: TaskDefinition;
  node: TaskNode;
  ctx: TaskContext<unknown>;
  inputs: Record<string, unknown>;
  item: unknown;
  controller: AbortController;
  /** When the sensor first checked (from the store), or undefined for the first check. */
  firstPokeAt: Date | undefined;
  now: () => Date;
  /** Called once with the time of the first check, so the store can remember it. */
  onFirstPoke?: (at: Date) => Promise<void>;
}

/** Invokes a task body in this process, with timeout, sensor poke loop and error classification. */
export async function invokeTaskInProcess(args: InvokeArgs): Promise<Invocation> {
  const { def, node, ctx, inputs, item, controller } = args;
  try {
    if (node.kind !== 'sensor' || !node.sensor) {
      const output = await runWithTimeout(() => def.run(ctx, inputs, item), node.timeoutMs, controller);
      return { result: { kind: 'success' }, output };
    }
    const sensor = node.sensor;
    let firstPokeAt = args.firstPokeAt;
    return await runWithTimeout(
      async () => {
        for (;;) {
          const at = args.now();
          if (!firstPokeAt) {
            firstPokeAt = at;
            await args.onFirstPoke?.(at);
          }
          const poke = isPokeDone(await def.run(ctx, inputs, item));
          if (poke.done) return { result: { kind: 'success' }, output: poke.output } satisfies Invocation;
          const elapsed = args.now().getTime() - firstPokeAt.getTime();
          if (elapsed >= sensor.timeoutMs) {
            throw new SensorTimeoutError(`sensor ${node.id} did not succeed within ${sensor.timeoutMs} ms of its first check`);
          }
          if (sensor.mode === 'reschedule') return { result: { kind: 'sensor_not_done' } } satisfies Invocation;
          ctx.log.debug('sensor not done; next check', { inMs: sensor.pokeIntervalMs });
          if (!(await abortableSleep(Math.min(sensor.pokeIntervalMs, sensor.timeoutMs - elapsed), controller.signal))) {
            throw controller.signal.reason ?? new TaskTimeoutError('sensor aborted');
          }
        }
      },
      node.timeoutMs,
      controller,
    );
  } catch (error) {
    return { result: classifyError(error) };
  }
}

import type { SensorSpec, TaskNode } from '../authoring/structure.js';
import { TASK_DEFAULTS } from '../authoring/task-node.js';
import type { TaskState } from '../states.js';

/**
 * The delay before attempt `k + 1` after attempt `k = failedTryNumber` failed, in whole milliseconds.
 *
 * - Without exponential backoff: `retryDelayMs`, always.
 * - With exponential backoff: `d = min(maxRetryDelayMs, retryDelayMs × 2^(k−1))`, then "equal jitter":
 *   a uniformly random value in `[d/2, d]` (so retries of many tasks failing together spread out, and the
 *   result never exceeds the cap). A `maxRetryDelayMs` that is not a positive number means no cap.
 *   `failedTryNumber` below 1 is treated as 1.
 *
 * @param random source of uniform numbers in `[0, 1)`; pass a fixed function in tests
 */
export function computeRetryDelayMs(
  task: Pick<TaskNode, 'retryDelayMs' | 'exponentialBackoff' | 'maxRetryDelayMs'>,
  failedTryNumber: number,
  random: () => number = Math.random,
): number {
  const base = Math.max(0, task.retryDelayMs);
  if (!task.exponentialBackoff) return base;
  const k = Math.max(1, Math.floor(failedTryNumber));
  const cap = task.maxRetryDelayMs > 0 ? task.maxRetryDelayMs : Number.MAX_SAFE_INTEGER;
  const exponential = Math.min(base * 2 ** Math.min(k - 1, 1000), Number.MAX_SAFE_INTEGER);
  const capped = Math.min(cap, exponential);
  const r = Math.min(1, Math.max(0, random()));
  return Math.min(capped, Math.round(capped / 2 + (r * capped) / 2));
}

/** How a task attempt (or a sensor poke) ended, as reported by the executor. */
export type AttemptResult =
  | { kind: 'success' }
  /** The task threw `SkipError`. */
  | { kind: 'skip' }
  /** The task threw `FailNowError`: fail without using the remaining retries. */
  | { kind: 'fail_now'; error: string }
  /** The task threw any other error. */
  | { kind: 'error'; error: string }
  /** The attempt exceeded the task's `timeout`. */
  | { kind: 'timeout'; error: string }
  /** A sensor poke returned "not yet". */
  | { kind: 'sensor_not_done' }
  /** A sensor did not succeed within its sensor timeout. */
  | { kind: 'sensor_timeout'; error: string };

/** What becomes of a task instance after an attempt. */
export interface AttemptOutcome {
  /** The instance's new state. */
  state: TaskState;
  /** For `up_for_retry` / `up_for_reschedule`: when it becomes schedulable again. */
  nextAttemptAt?: Date;
  /** Which notifiers to call, if any (none for skips and reschedules). */
  notify?: 'success' | 'retry' | 'failure';
}

/** The attempt being decided. */
export interface AttemptInfo {
  /** 1-based number of the attempt that just ended. */
  tryNumber: number;
  /** Attempts allowed in total (`retries + 1`). */
  maxTries: number;
  /** For sensors: when the first poke of this sensor run happened (the sensor timeout counts from it). */
  firstPokeAt?: Date | undefined;
}

function sensorSpecOf(task: TaskNode): SensorSpec {
  return task.sensor ?? { mode: 'reschedule', pokeIntervalMs: TASK_DEFAULTS.pokeIntervalMs, timeoutMs: TASK_DEFAULTS.sensorTimeoutMs, softFail: false };
}

function sensorGivesUp(sensor: SensorSpec): AttemptOutcome {
  return sensor.softFail ? { state: 'skipped' } : { state: 'failed', notify: 'failure' };
}

/**
 * Decides a task instance's next state after an attempt:
 *
 * - `success` → `success` (notify success); `skip` → `skipped`; `fail_now` → `failed` (notify failure);
 * - `error` / `timeout` → `up_for_retry` at `now + computeRetryDelayMs(task, tryNumber)` (notify retry)
 *   while `tryNumber < maxTries`, else `failed` (notify failure);
 * - `sensor_not_done` → `up_for_reschedule` at `now + pokeInterval`, unless the sensor timeout has elapsed
 *   since `firstPokeAt` (default: `now`, i.e. this was the first poke), in which case `failed`, or
 *   `skipped` when the sensor has `softFail`. Poke-mode sensors normally loop inside the worker and only
 *   report their final result, but a `sensor_not_done` from one is handled the same way;
 * - `sensor_timeout` → `failed` without retrying (notify failure), or `skipped` with `softFail`.
 *
 * A task without sensor settings that reports a sensor result uses the default poke interval (60s) and
 * sensor timeout (7 days).
 */
export function decideAttemptOutcome(
  task: TaskNode,
  attempt: AttemptInfo,
  result: AttemptResult,
  now: Date,
  random?: () => number,
): AttemptOutcome {
  switch (result.kind) {
    case 'success':
      return { state: 'success', notify: 'success' };
    case 'skip':
      return { state: 'skipped' };
    case 'fail_now':
      return { state: 'failed', notify: 'failure' };
    case 'error':
    case 'timeout': {
      if (attempt.tryNumber >= attempt.maxTries) return { state: 'failed', notify: 'failure' };
      const delay = computeRetryDelayMs(task, attempt.tryNumber, random);
      return { state: 'up_for_retry', nextAttemptAt: new Date(now.getTime() + delay), notify: 'retry' };
    }
    case 'sensor_not_done': {
      const sensor = sensorSpecOf(task);
      const firstPoke = attempt.firstPokeAt ?? now;
      if (now.getTime() - firstPoke.getTime() >= sensor.timeoutMs) return sensorGivesUp(sensor);
      return { state: 'up_for_reschedule', nextAttemptAt: new Date(now.getTime() + sensor.pokeIntervalMs) };
    }
    case 'sensor_timeout':
      return sensorGivesUp(sensorSpecOf(task));
  }
}

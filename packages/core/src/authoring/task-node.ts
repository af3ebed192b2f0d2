import type { ParsedDagOptions, ParsedTaskOptions } from './dag-options.js';
import type { TaskNode } from './structure.js';
import type { TaskDefinition } from './task-builder.js';

/** Task defaults (Airflow's where it has one). */
export const TASK_DEFAULTS = {
  retries: 0,
  retryDelayMs: 300_000,
  maxRetryDelayMs: 86_400_000,
  pool: 'default_pool',
  poolSlots: 1,
  priorityWeight: 1,
  queue: 'default',
  pokeIntervalMs: 60_000,
  sensorTimeoutMs: 604_800_000,
} as const;

/** The task's options with the DAG's `defaultTaskOptions` underneath. */
export function effectiveTaskOptions(def: TaskDefinition, dagOptions: ParsedDagOptions): ParsedTaskOptions {
  const merged: ParsedTaskOptions = { ...dagOptions.defaultTaskOptions };
  for (const [k, v] of Object.entries(def.options)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  merged.notifiers = [...(dagOptions.notifiers ?? []), ...(dagOptions.defaultTaskOptions.notifiers ?? []), ...(def.options.notifiers ?? [])];
  return merged;
}

/** The serialisable node of a task definition, with defaults resolved. */
export function buildTaskNode(def: TaskDefinition, dagOptions: ParsedDagOptions): TaskNode {
  const o = effectiveTaskOptions(def, dagOptions);
  return {
    id: def.id,
    kind: def.kind,
    operator: def.operator,
    upstream: [...def.upstream].sort(),
    inputs: def.inputs,
    triggerRule: o.triggerRule ?? 'all_success',
    mapOver: def.mapOver,
    maxActiveMapped: def.kind === 'map' ? o.maxActiveMapped : undefined,
    retries: o.retries ?? TASK_DEFAULTS.retries,
    retryDelayMs: o.retryDelay ?? TASK_DEFAULTS.retryDelayMs,
    exponentialBackoff: o.exponentialBackoff ?? false,
    maxRetryDelayMs: o.maxRetryDelay ?? TASK_DEFAULTS.maxRetryDelayMs,
    timeoutMs: o.timeout,
    pool: o.pool ?? TASK_DEFAULTS.pool,
    poolSlots: o.poolSlots ?? TASK_DEFAULTS.poolSlots,
    priorityWeight: o.priorityWeight ?? TASK_DEFAULTS.priorityWeight,
    dependsOnPast: o.dependsOnPast ?? false,
    queue: o.queue ?? TASK_DEFAULTS.queue,
    isolation: o.isolation ?? 'in-process',
    sensor:
      def.kind === 'sensor'
        ? {
            mode: o.mode ?? 'poke',
            pokeIntervalMs: o.pokeInterval ?? TASK_DEFAULTS.pokeIntervalMs,
            timeoutMs: o.sensorTimeout ?? TASK_DEFAULTS.sensorTimeoutMs,
            softFail: o.softFail ?? false,
          }
        : undefined,
    outlets: [...(def.options.outlets ?? [])],
    doc: o.doc,
  };
}

import { createHash } from 'node:crypto';
import type { TriggerRule } from '../states.js';
import type { ScheduleSpec } from './schedule.js';
import type { TaskIsolation } from './task.js';
import { canonical } from '../canonical-json.js';

/** Kind of a task node. */
export type TaskKind = 'task' | 'map' | 'branch' | 'sensor';

/** Normalised sensor settings (milliseconds). */
export interface SensorSpec {
  mode: 'poke' | 'reschedule';
  pokeIntervalMs: number;
  timeoutMs: number;
  softFail: boolean;
}

/** A task as the scheduler sees it: serialisable, no functions. */
export interface TaskNode {
  id: string;
  kind: TaskKind;
  /** Operator or sensor name for operator-built tasks. */
  operator?: string | undefined;
  /** Direct upstream task ids, sorted. */
  upstream: string[];
  /** Local input name → upstream task id. */
  inputs: Record<string, string>;
  triggerRule: TriggerRule;
  /** For `map` tasks: the upstream whose array output is mapped. */
  mapOver?: string | undefined;
  /** For `map` tasks: at most this many mapped instances active at once. */
  maxActiveMapped?: number | undefined;
  retries: number;
  retryDelayMs: number;
  exponentialBackoff: boolean;
  maxRetryDelayMs: number;
  timeoutMs?: number | undefined;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  dependsOnPast: boolean;
  queue: string;
  isolation: TaskIsolation;
  sensor?: SensorSpec | undefined;
  /** Asset URIs updated on success. */
  outlets: string[];
  doc?: string | undefined;
}

/** A DAG as the scheduler and the store see it; its hash is the DAG version. */
export interface DagStructure {
  dagId: string;
  schedule: ScheduleSpec;
  /** ISO timestamp or undefined. */
  start?: string | undefined;
  end?: string | undefined;
  timezone: string;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  /** Milliseconds after the data interval end by which a run should be finished. */
  slaMs?: number | undefined;
  tags: string[];
  description?: string | undefined;
  /** JSON Schema-ish description of params (for UIs); informative only. */
  paramsDefaults?: Record<string, unknown> | undefined;
  /**
   * JSON Schema (draft 2020-12, input side: fields with defaults are optional) of the params, from
   * `z.toJSONSchema`; null when the zod schema cannot be represented; absent when the DAG has no params.
   * Lets a process without the DAG code (a separate `sluice webserver`) validate a trigger's `conf`.
   */
  paramsSchema?: Record<string, unknown> | null | undefined;
  /** Tasks in topological order. */
  tasks: TaskNode[];
}

/** The DAG version: a short sha256 of the canonical JSON of its structure. */
export function hashDagStructure(structure: DagStructure): string {
  return createHash('sha256').update(JSON.stringify(canonical(structure))).digest('hex').slice(0, 16);
}

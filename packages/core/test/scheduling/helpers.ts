import type { DagStructure, TaskNode } from '../../src/authoring/structure.js';
import type { TaskState, TriggerRule } from '../../src/states.js';
import type { TriggerDecision } from '../../src/scheduling/trigger-rules.js';

/** A task node with scheduler defaults; override what the test cares about. */
export function makeTask(id: string, overrides: Partial<TaskNode> = {}): TaskNode {
  return {
    id,
    kind: 'task',
    upstream: [],
    inputs: {},
    triggerRule: 'all_success',
    retries: 0,
    retryDelayMs: 300_000,
    exponentialBackoff: false,
    maxRetryDelayMs: 86_400_000,
    pool: 'default_pool',
    poolSlots: 1,
    priorityWeight: 1,
    dependsOnPast: false,
    queue: 'default',
    isolation: 'in-process',
    outlets: [],
    ...overrides,
  };
}

/** A DAG structure around `tasks` (which must be in topological order). */
export function makeStructure(tasks: TaskNode[], overrides: Partial<DagStructure> = {}): DagStructure {
  return {
    dagId: 'test_dag',
    schedule: { kind: 'none' },
    timezone: 'UTC',
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    tags: [],
    tasks,
    ...overrides,
  };
}

/** `new Date(iso)`, shorter. */
export const d = (iso: string): Date => new Date(iso);

/** ISO strings of dates (for readable assertions). */
export const isoOf = (dates: readonly Date[]): string[] => dates.map((x) => x.toISOString());

// ---------------------------------------------------------------------------------------------------------
// An independent reference: "runs when" predicates from the semantics table, and "can it still be met"
// decided by brute force over every way the unfinished upstreams could still end.
// ---------------------------------------------------------------------------------------------------------

export const OUTCOMES: TaskState[] = ['success', 'failed', 'skipped', 'upstream_failed'];
export const isOutcome = (s: TaskState): boolean => OUTCOMES.includes(s);
const isFailure = (s: TaskState): boolean => s === 'failed' || s === 'upstream_failed';

function runsWhen(rule: TriggerRule, states: TaskState[]): boolean {
  const all = (p: (s: TaskState) => boolean): boolean => states.every(p);
  const some = (p: (s: TaskState) => boolean): boolean => states.some(p);
  switch (rule) {
    case 'all_success':
      return all((s) => s === 'success');
    case 'all_failed':
      return all(isFailure);
    case 'all_done':
      return all(isOutcome);
    case 'all_done_min_one_success':
      return all(isOutcome) && some((s) => s === 'success');
    case 'all_skipped':
      return all((s) => s === 'skipped');
    case 'one_success':
      return some((s) => s === 'success');
    case 'one_failed':
      return some(isFailure);
    case 'one_done':
      return some((s) => s === 'success' || s === 'failed');
    case 'none_failed':
      return all(isOutcome) && !some(isFailure);
    case 'none_failed_min_one_success':
      return all(isOutcome) && !some(isFailure) && some((s) => s === 'success');
    case 'none_skipped':
      return all(isOutcome) && !some((s) => s === 'skipped');
    case 'always':
      return true;
  }
}

function completions(states: TaskState[]): TaskState[][] {
  return states.reduce<TaskState[][]>(
    (acc, state) => acc.flatMap((prefix) => (isOutcome(state) ? [[...prefix, state]] : OUTCOMES.map((o) => [...prefix, o]))),
    [[]],
  );
}

export function referenceDecision(rule: TriggerRule, raw: readonly TaskState[]): TriggerDecision {
  const states = raw.filter((s) => s !== 'removed');
  if (states.length === 0 || runsWhen(rule, states)) return 'run';
  if (completions(states).some((c) => runsWhen(rule, c))) return 'wait';
  const anyFailure = states.some(isFailure);
  switch (rule) {
    case 'all_success':
    case 'one_success':
    case 'none_failed_min_one_success':
      return anyFailure ? 'upstream_failed' : 'skip';
    case 'none_failed':
      return 'upstream_failed';
    default:
      return 'skip';
  }
}


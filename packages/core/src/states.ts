/** Task instance states (see semantics.md). `none` is a task instance that has not been scheduled yet. */
export const TASK_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'failed',
  'up_for_retry',
  'up_for_reschedule',
  'skipped',
  'upstream_failed',
  'removed',
] as const;

/** A task instance state. */
export type TaskState = (typeof TASK_STATES)[number];

/** States a task instance never leaves on its own. */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'success',
  'failed',
  'skipped',
  'upstream_failed',
  'removed',
]);

/** True for success, failed, skipped, upstream_failed and removed. */
export function isTerminalTaskState(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}

/** DAG run states. */
export const RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;

/** A DAG run state. */
export type RunState = (typeof RUN_STATES)[number];

/** True for success and failed. */
export function isTerminalRunState(state: RunState): boolean {
  return state === 'success' || state === 'failed';
}

/** The twelve trigger rules (upstream = direct upstream tasks). */
export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_done_min_one_success',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const;

/** A trigger rule. */
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** How a run came to exist. */
export type RunType = 'scheduled' | 'manual' | 'backfill' | 'asset';

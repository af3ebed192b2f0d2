import type { TaskState, TriggerRule } from '../states.js';

/**
 * What a trigger rule says about a task instance that is still in `none`:
 * - `run`: schedule it;
 * - `wait`: not decidable yet (some upstream is not done and could still change the outcome);
 * - `skip`: the rule can no longer be met and the task becomes `skipped`;
 * - `upstream_failed`: the rule can no longer be met because of a failure and the task becomes
 *   `upstream_failed`.
 */
export type TriggerDecision = 'run' | 'wait' | 'skip' | 'upstream_failed';

/** Counts of upstream instance states, as trigger rules see them. */
export interface UpstreamCounts {
  /** Upstream instances considered (`removed` ones are not). */
  total: number;
  success: number;
  /** `failed` only. */
  failed: number;
  upstreamFailed: number;
  skipped: number;
  /** Instances in a terminal state (success, failed, upstream_failed, skipped). */
  done: number;
}

/**
 * Counts upstream states for {@link evaluateTriggerRule}. `removed` instances (tasks that no longer exist in
 * the run's DAG version) are left out entirely; every non-terminal state (`none`, `scheduled`, `queued`,
 * `running`, `up_for_retry`, `up_for_reschedule`) counts as not done.
 */
export function countUpstreamStates(upstreamStates: readonly TaskState[]): UpstreamCounts {
  const counts: UpstreamCounts = { total: 0, success: 0, failed: 0, upstreamFailed: 0, skipped: 0, done: 0 };
  for (const state of upstreamStates) {
    if (state === 'removed') continue;
    counts.total += 1;
    if (state === 'success') counts.success += 1;
    else if (state === 'failed') counts.failed += 1;
    else if (state === 'upstream_failed') counts.upstreamFailed += 1;
    else if (state === 'skipped') counts.skipped += 1;
    else continue;
    counts.done += 1;
  }
  return counts;
}

/**
 * Evaluates a trigger rule over the states of every instance of the task's direct upstream tasks (a mapped
 * upstream contributes all its mapped instances). Implements the table in semantics.md; a rule that "can no
 * longer be met" is decided as soon as that is certain, without waiting for the remaining upstreams:
 *
 * | rule | run when | otherwise, once it can no longer be met |
 * |---|---|---|
 * | all_success | all succeeded | upstream_failed if any failed/upstream_failed, else skip |
 * | all_failed | all failed or upstream_failed | skip |
 * | all_done | all terminal | — |
 * | all_done_min_one_success | all terminal and ≥1 succeeded | skip |
 * | all_skipped | all skipped | skip |
 * | one_success | ≥1 succeeded | (all terminal, none succeeded) upstream_failed if any failed/upstream_failed, else skip |
 * | one_failed | ≥1 failed or upstream_failed | skip |
 * | one_done | ≥1 succeeded or failed | skip |
 * | none_failed | all terminal, none failed/upstream_failed | upstream_failed |
 * | none_failed_min_one_success | as none_failed, and ≥1 succeeded | upstream_failed if any failed/upstream_failed, else skip |
 * | none_skipped | all terminal, none skipped | skip |
 * | always | immediately | — |
 *
 * "Failed" in the last column includes `upstream_failed` (as in Airflow). With no upstream at all (or only
 * `removed` ones) every rule says `run`.
 */
export function evaluateTriggerRule(rule: TriggerRule, upstreamStates: readonly TaskState[]): TriggerDecision {
  const c = countUpstreamStates(upstreamStates);
  if (c.total === 0 || rule === 'always') return 'run';
  const allDone = c.done === c.total;
  const anyFailed = c.failed + c.upstreamFailed > 0;
  switch (rule) {
    case 'all_success':
      if (anyFailed) return 'upstream_failed';
      if (c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'all_failed':
      if (c.success + c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'all_done':
      return allDone ? 'run' : 'wait';
    case 'all_done_min_one_success':
      if (!allDone) return 'wait';
      return c.success > 0 ? 'run' : 'skip';
    case 'all_skipped':
      if (c.skipped < c.done) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'one_success':
      if (c.success > 0) return 'run';
      if (!allDone) return 'wait';
      return anyFailed ? 'upstream_failed' : 'skip';
    case 'one_failed':
      if (anyFailed) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'one_done':
      if (c.success + c.failed > 0) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'none_failed':
      if (anyFailed) return 'upstream_failed';
      return allDone ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      if (anyFailed) return 'upstream_failed';
      if (!allDone) return 'wait';
      return c.success > 0 ? 'run' : 'skip';
    case 'none_skipped':
      if (c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
  }
}

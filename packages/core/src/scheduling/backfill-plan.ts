import type { ScheduleSpec } from '../authoring/schedule.js';
import type { RunState } from '../states.js';
import { intervalsInRange, type DataInterval } from './intervals.js';

/**
 * What a backfill does with dates that already have a run: `none` leaves them alone, `failed` reruns the
 * failed ones, `all` reruns every finished one.
 */
export type ReprocessPolicy = 'none' | 'failed' | 'all';

/** One line of a backfill plan (also what a dry run prints). */
export interface BackfillPlanItem {
  interval: DataInterval;
  /** `create` a new run, `rerun` (clear and re-run) the existing one, or `skip` the date. */
  action: 'create' | 'rerun' | 'skip';
  /** Why, in words (shown in dry runs and progress output). */
  reason: string;
}

/** Inputs of {@link planBackfill}. */
export interface BackfillPlanInput {
  schedule: ScheduleSpec;
  timezone: string;
  /** Anchor of `{ kind: 'interval' }` schedules (the DAG's start); see `ScheduleOptions.anchor`. */
  anchor?: Date;
  /** First logical date to consider (inclusive). */
  from: Date;
  /** Last logical date to consider (inclusive). */
  to: Date;
  /** The DAG's existing runs (any type) whose logical dates may fall in the range. */
  existing: readonly { logicalDate: Date; state: RunState }[];
  reprocess: ReprocessPolicy;
}

function decide(state: RunState | undefined, reprocess: ReprocessPolicy): Pick<BackfillPlanItem, 'action' | 'reason'> {
  if (state === undefined) return { action: 'create', reason: 'no run for this date yet' };
  if (state === 'queued' || state === 'running') return { action: 'skip', reason: `a run for this date is already ${state}` };
  if (reprocess === 'all') return { action: 'rerun', reason: `reprocess=all reruns the existing ${state} run` };
  if (reprocess === 'failed' && state === 'failed') return { action: 'rerun', reason: 'the existing run failed (reprocess=failed)' };
  if (reprocess === 'failed') return { action: 'skip', reason: 'the existing run succeeded (reprocess=failed reruns only failed runs)' };
  return { action: 'skip', reason: `a ${state} run exists for this date (reprocess=none)` };
}

/**
 * The backfill plan for `[from, to]`: one item per data interval whose start (logical date) is in the
 * range, oldest first (see `intervalsInRange`; `none`/`assets` schedules have no intervals, so the plan is
 * empty). A date without a run is created. A date whose run is queued or running is always skipped. A
 * finished run is skipped with `reprocess: 'none'`, rerun when it failed with `'failed'`, and rerun
 * whatever its outcome with `'all'`.
 *
 * @throws ValidationError when the range holds more than 100,000 intervals or the schedule is invalid
 */
export function planBackfill(input: BackfillPlanInput): BackfillPlanItem[] {
  const byDate = new Map(input.existing.map((run) => [run.logicalDate.getTime(), run.state]));
  const intervals = intervalsInRange(input.schedule, { timezone: input.timezone, anchor: input.anchor }, input.from, input.to);
  return intervals.map((interval) => ({ interval, ...decide(byDate.get(interval.start.getTime()), input.reprocess) }));
}

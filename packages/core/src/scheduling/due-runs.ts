import type { ScheduleSpec } from '../authoring/schedule.js';
import {
  intervalStartingAtOrBefore,
  iterateIntervals,
  latestCompleteInterval,
  type DataInterval,
  type ScheduleOptions,
} from './intervals.js';

/** Everything {@link computeDueRuns} needs to know about one DAG. */
export interface DueRunsInput {
  schedule: ScheduleSpec;
  /** IANA timezone the cron expression is evaluated in. */
  timezone: string;
  /** The earliest allowed logical date; also the anchor of `{ kind: 'interval' }` schedules. */
  start?: Date;
  /** The latest allowed logical date. */
  end?: Date;
  catchup: boolean;
  maxActiveRuns: number;
  /** Runs of this DAG that are queued or running now. */
  activeRunCount: number;
  /** Logical date of the newest scheduled (not manual/backfill) run, if any. */
  lastScheduledLogicalDate?: Date;
  /** Whether the DAG has any run at all (used by `once`). */
  hasAnyRun: boolean;
  now: Date;
}

function within(interval: DataInterval, input: DueRunsInput): boolean {
  if (input.start && interval.start.getTime() < input.start.getTime()) return false;
  if (input.end && interval.start.getTime() > input.end.getTime()) return false;
  return true;
}

/** catchup: every complete interval after the last scheduled one (or from `start`), oldest first. */
function missedIntervals(input: DueRunsInput, options: ScheduleOptions, limit: number): DataInterval[] {
  let from = input.start?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (input.lastScheduledLogicalDate) from = Math.max(from, input.lastScheduledLogicalDate.getTime() + 1);
  const out: DataInterval[] = [];
  for (const interval of iterateIntervals(input.schedule, options, new Date(from))) {
    if (interval.end.getTime() > input.now.getTime() || !within(interval, input)) break;
    out.push(interval);
    if (out.length >= limit) break;
  }
  return out;
}

/** No catchup: the most recent complete interval (within start/end), if not scheduled yet. */
function latestInterval(input: DueRunsInput, options: ScheduleOptions): DataInterval[] {
  let latest = latestCompleteInterval(input.schedule, options, input.now);
  if (latest && input.end && latest.start.getTime() > input.end.getTime()) {
    latest = intervalStartingAtOrBefore(input.schedule, options, input.end);
  }
  if (!latest || !within(latest, input) || latest.end.getTime() > input.now.getTime()) return [];
  const last = input.lastScheduledLogicalDate;
  if (last && latest.start.getTime() <= last.getTime()) return [];
  return [latest];
}

/**
 * The data intervals a DAG's scheduler should create runs for now, oldest first; the logical date of each
 * run is its interval's `start`. Pure: call it on every scheduler loop; a run already created is excluded
 * via `lastScheduledLogicalDate` (and the store's unique (DAG, logical date) constraint).
 *
 * - cron / interval schedules: the run for `[t0, t1)` is due once `t1 <= now`; `t0 >= start` and, if
 *   `end` is set, `t0 <= end`.
 *   - `catchup: true`: every such interval after `lastScheduledLogicalDate` (or from `start` when nothing
 *     was scheduled yet), oldest first. Without `start` and without a previous run there is nothing to
 *     catch up from, so it behaves like `catchup: false`.
 *   - `catchup: false`: only the most recent complete interval (the last one starting at or before `end`
 *     once `now` is past `end`), and only if it starts after `lastScheduledLogicalDate`. Intervals skipped
 *     over this way are never created (backfill them explicitly).
 * - `once`: `[start, start]` if the DAG has no run yet and `now >= start` (`start` defaults to `now`), and
 *   `start <= end` when `end` is set.
 * - `none` and `assets`: never (manual triggers and asset events create those runs).
 *
 * At most `max(0, maxActiveRuns − activeRunCount)` intervals are returned; the caller calls again on its
 * next loop to create the rest.
 */
export function computeDueRuns(input: DueRunsInput): DataInterval[] {
  const limit = Math.max(0, input.maxActiveRuns - input.activeRunCount);
  if (limit === 0) return [];
  const { schedule, now } = input;
  if (schedule.kind === 'none' || schedule.kind === 'assets') return [];
  if (schedule.kind === 'once') {
    if (input.hasAnyRun) return [];
    const at = input.start ?? now;
    if (at.getTime() > now.getTime() || (input.end && at.getTime() > input.end.getTime())) return [];
    return [{ start: new Date(at.getTime()), end: new Date(at.getTime()) }];
  }
  const options: ScheduleOptions = { timezone: input.timezone, anchor: input.start };
  if (input.catchup && (input.start || input.lastScheduledLogicalDate)) return missedIntervals(input, options, limit);
  return latestInterval(input, options);
}

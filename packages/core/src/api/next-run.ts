import type { DagStructure } from '../authoring/structure.js';
import { computeDueRuns } from '../scheduling/due-runs.js';
import { latestCompleteInterval, nextDataInterval, type ScheduleOptions } from '../scheduling/intervals.js';

/** The next scheduled run of a DAG as the API shows it. */
export interface NextRun {
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  /** When the scheduler creates it (the end of its data interval; in the past when it is due now). */
  createAfter: Date;
}

/**
 * The next run the scheduler will create for a time-scheduled DAG: the oldest due interval if any (it is
 * created on the next loop), else the first interval after both the last scheduled run and the latest
 * complete interval. Null for manual-only and asset-scheduled DAGs, a finished `once`, or past `end`.
 */
export function computeNextRun(
  structure: DagStructure,
  summary: { lastScheduledLogicalDate?: Date | undefined; hasAnyRun: boolean },
  now: Date,
): NextRun | null {
  const { schedule } = structure;
  if (schedule.kind === 'none' || schedule.kind === 'assets') return null;
  const start = structure.start ? new Date(structure.start) : undefined;
  const end = structure.end ? new Date(structure.end) : undefined;
  const options: ScheduleOptions = { timezone: structure.timezone, anchor: start };
  const toNext = (i: { start: Date; end: Date }): NextRun => ({ logicalDate: i.start, dataIntervalStart: i.start, dataIntervalEnd: i.end, createAfter: i.end });
  try {
    const due = computeDueRuns({
      schedule,
      timezone: structure.timezone,
      ...(start ? { start } : {}),
      ...(end ? { end } : {}),
      catchup: structure.catchup,
      maxActiveRuns: 1,
      activeRunCount: 0,
      ...(summary.lastScheduledLogicalDate ? { lastScheduledLogicalDate: summary.lastScheduledLogicalDate } : {}),
      hasAnyRun: summary.hasAnyRun,
      now,
    });
    if (due[0]) return toNext(due[0]);
    if (schedule.kind === 'once') {
      if (summary.hasAnyRun) return null;
      const at = start ?? now;
      return { logicalDate: at, dataIntervalStart: at, dataIntervalEnd: at, createAfter: at };
    }
    let after = start?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (summary.lastScheduledLogicalDate) after = Math.max(after, summary.lastScheduledLogicalDate.getTime() + 1);
    const latest = latestCompleteInterval(schedule, options, now);
    if (latest && !structure.catchup) after = Math.max(after, latest.start.getTime() + 1);
    if (!Number.isFinite(after)) after = now.getTime();
    const next = nextDataInterval(schedule, options, new Date(after));
    if (!next || (end && next.start.getTime() > end.getTime())) return null;
    return toNext(next);
  } catch {
    return null;
  }
}

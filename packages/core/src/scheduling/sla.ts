import { isTerminalRunState, type RunState } from '../states.js';

/** The parts of a run {@link isSlaMissed} looks at. */
export interface SlaRunView {
  dataIntervalEnd: Date;
  state: RunState;
  /** Set once a miss was recorded; a miss is reported only once. */
  slaMissedAt?: Date | null;
  /** When the run finished, for finished runs (lets a late finish still count as a miss). */
  endDate?: Date | null;
}

/**
 * Whether a run's SLA miss should be recorded now. The deadline is `dataIntervalEnd + slaMs`. True when
 * the DAG has an SLA, no miss was recorded yet, and either the run is still queued/running after the
 * deadline (`now > deadline`), or it finished after the deadline (`endDate > deadline`). A finished run
 * without an `endDate` is never reported.
 */
export function isSlaMissed(run: SlaRunView, slaMs: number | undefined, now: Date): boolean {
  if (slaMs === undefined || run.slaMissedAt) return false;
  const deadline = run.dataIntervalEnd.getTime() + slaMs;
  if (!isTerminalRunState(run.state)) return now.getTime() > deadline;
  return run.endDate != null && run.endDate.getTime() > deadline;
}

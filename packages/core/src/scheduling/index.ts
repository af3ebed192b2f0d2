/**
 * Pure scheduling decisions: which runs are due, what trigger rules say, which task instances move where,
 * retry delays, queueing order, backfill plans. No I/O and no clock: `now` is always a parameter.
 * @module
 */
export { isAssetRunDue } from './assets.js';
export { planBackfill, type BackfillPlanInput, type BackfillPlanItem, type ReprocessPolicy } from './backfill-plan.js';
export { assertTimezone, cronTickAtOrAfter, cronTickAtOrBefore, cronTicksFrom, parseCron, timezoneOffsetMs, type ParsedCron } from './cron.js';
export { describeSchedule } from './describe-schedule.js';
export { computeDueRuns, type DueRunsInput } from './due-runs.js';
export {
  MAX_INTERVALS_IN_RANGE,
  intervalStartingAtOrBefore,
  intervalsInRange,
  iterateIntervals,
  latestCompleteInterval,
  manualDataInterval,
  nextDataInterval,
  validateCronExpression,
  type DataInterval,
  type ScheduleOptions,
} from './intervals.js';
export { selectTasksToQueue, type QueueCandidate, type QueueSelectionInput } from './queueing.js';
export {
  computeRetryDelayMs,
  decideAttemptOutcome,
  type AttemptInfo,
  type AttemptOutcome,
  type AttemptResult,
} from './retry.js';
export {
  decideRunTransitions,
  type RunDecision,
  type RunDecisionInput,
  type TaskInstanceView,
  type TaskKey,
} from './run-decisions.js';
export { isSlaMissed, type SlaRunView } from './sla.js';
export { countUpstreamStates, evaluateTriggerRule, type TriggerDecision, type UpstreamCounts } from './trigger-rules.js';

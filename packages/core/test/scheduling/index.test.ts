import { describe, expect, it } from 'vitest';
import * as scheduling from '../../src/scheduling/index.js';

describe('scheduling/index', () => {
  it('re-exports every decision function by name', () => {
    for (const name of [
      'evaluateTriggerRule',
      'countUpstreamStates',
      'validateCronExpression',
      'nextDataInterval',
      'latestCompleteInterval',
      'intervalsInRange',
      'iterateIntervals',
      'intervalStartingAtOrBefore',
      'manualDataInterval',
      'describeSchedule',
      'computeDueRuns',
      'computeRetryDelayMs',
      'decideAttemptOutcome',
      'decideRunTransitions',
      'selectTasksToQueue',
      'planBackfill',
      'isAssetRunDue',
      'isSlaMissed',
      'parseCron',
      'assertTimezone',
    ]) {
      expect(typeof (scheduling as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(scheduling.MAX_INTERVALS_IN_RANGE).toBe(100_000);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_STATES, TRIGGER_RULES, type TaskState, type TriggerRule } from '../../src/states.js';
import { countUpstreamStates, evaluateTriggerRule, type TriggerDecision } from '../../src/scheduling/trigger-rules.js';
import { OUTCOMES, isOutcome, referenceDecision } from './helpers.js';

function multisets(size: number, from = 0): TaskState[][] {
  if (size === 0) return [[]];
  const out: TaskState[][] = [];
  for (let i = from; i < TASK_STATES.length; i++) {
    for (const rest of multisets(size - 1, i)) out.push([TASK_STATES[i] as TaskState, ...rest]);
  }
  return out;
}

const ALL_MULTISETS = [0, 1, 2, 3, 4].flatMap((n) => multisets(n));

describe('evaluateTriggerRule — exhaustive against the reference', () => {
  it('covers every multiset of up to 4 upstream states', () => {
    expect(ALL_MULTISETS.length).toBe(1 + 11 + 66 + 286 + 1001);
  });

  for (const rule of TRIGGER_RULES) {
    it(`${rule}: agrees with the reference on every multiset of up to 4 upstream states`, () => {
      const mismatches = ALL_MULTISETS.filter((states) => evaluateTriggerRule(rule, states) !== referenceDecision(rule, states)).map(
        (states) => `${states.join(',')} → ${evaluateTriggerRule(rule, states)} (expected ${referenceDecision(rule, states)})`,
      );
      expect(mismatches).toEqual([]);
    });
  }
});

describe('evaluateTriggerRule — the semantics table, row by row', () => {
  const cases: [TriggerRule, TaskState[], TriggerDecision][] = [
    ['all_success', ['success', 'success'], 'run'],
    ['all_success', ['success', 'running'], 'wait'],
    ['all_success', ['failed', 'running'], 'upstream_failed'],
    ['all_success', ['upstream_failed', 'success'], 'upstream_failed'],
    ['all_success', ['skipped', 'running'], 'skip'],
    ['all_success', ['skipped', 'failed'], 'upstream_failed'],
    ['all_failed', ['failed', 'upstream_failed'], 'run'],
    ['all_failed', ['failed', 'queued'], 'wait'],
    ['all_failed', ['failed', 'success'], 'skip'],
    ['all_failed', ['skipped'], 'skip'],
    ['all_done', ['failed', 'skipped', 'success', 'upstream_failed'], 'run'],
    ['all_done', ['failed', 'up_for_retry'], 'wait'],
    ['all_done_min_one_success', ['failed', 'success'], 'run'],
    ['all_done_min_one_success', ['success', 'running'], 'wait'],
    ['all_done_min_one_success', ['failed', 'skipped'], 'skip'],
    ['all_skipped', ['skipped', 'skipped'], 'run'],
    ['all_skipped', ['skipped', 'running'], 'wait'],
    ['all_skipped', ['skipped', 'success'], 'skip'],
    ['one_success', ['success', 'running'], 'run'],
    ['one_success', ['failed', 'running'], 'wait'],
    ['one_success', ['failed', 'skipped'], 'upstream_failed'],
    ['one_success', ['upstream_failed', 'skipped'], 'upstream_failed'],
    ['one_success', ['skipped', 'skipped'], 'skip'],
    ['one_failed', ['failed', 'running'], 'run'],
    ['one_failed', ['upstream_failed', 'none'], 'run'],
    ['one_failed', ['success', 'running'], 'wait'],
    ['one_failed', ['success', 'skipped'], 'skip'],
    ['one_done', ['failed', 'running'], 'run'],
    ['one_done', ['success', 'none'], 'run'],
    ['one_done', ['skipped', 'running'], 'wait'],
    ['one_done', ['skipped', 'upstream_failed'], 'skip'],
    ['none_failed', ['success', 'skipped'], 'run'],
    ['none_failed', ['success', 'running'], 'wait'],
    ['none_failed', ['failed', 'running'], 'upstream_failed'],
    ['none_failed', ['skipped', 'skipped'], 'run'],
    ['none_failed_min_one_success', ['success', 'skipped'], 'run'],
    ['none_failed_min_one_success', ['skipped', 'skipped'], 'skip'],
    ['none_failed_min_one_success', ['skipped', 'upstream_failed'], 'upstream_failed'],
    ['none_failed_min_one_success', ['skipped', 'running'], 'wait'],
    ['none_skipped', ['success', 'failed'], 'run'],
    ['none_skipped', ['success', 'running'], 'wait'],
    ['none_skipped', ['skipped', 'running'], 'skip'],
    ['always', ['running', 'none'], 'run'],
    ['always', ['failed'], 'run'],
  ];
  it.each(cases)('%s over [%s] → %s', (rule, states, expected) => {
    expect(evaluateTriggerRule(rule, states)).toBe(expected);
  });

  it.each(TRIGGER_RULES)('%s with no upstream → run', (rule) => {
    expect(evaluateTriggerRule(rule, [])).toBe('run');
  });

  it.each(TRIGGER_RULES)('%s ignores removed upstreams (only removed → run)', (rule) => {
    expect(evaluateTriggerRule(rule, ['removed', 'removed'])).toBe('run');
    expect(evaluateTriggerRule(rule, ['removed', 'running'])).toBe(evaluateTriggerRule(rule, ['running']));
  });

  it('counts every non-terminal state as not done', () => {
    for (const state of ['none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule'] as const) {
      expect(evaluateTriggerRule('all_done', ['success', state])).toBe('wait');
    }
  });

  it('countUpstreamStates tallies states and leaves removed out', () => {
    expect(countUpstreamStates(['success', 'failed', 'upstream_failed', 'skipped', 'running', 'removed'])).toEqual({
      total: 5,
      success: 1,
      failed: 1,
      upstreamFailed: 1,
      skipped: 1,
      done: 4,
    });
  });
});

describe('evaluateTriggerRule — properties', () => {
  const stateArb = fc.constantFrom(...TASK_STATES);
  const ruleArb = fc.constantFrom(...TRIGGER_RULES);

  it('agrees with the reference on larger upstream sets', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(stateArb, { maxLength: 7 }), (rule, states) => {
        expect(evaluateTriggerRule(rule, states)).toBe(referenceDecision(rule, states));
      }),
    );
  });

  it('does not depend on the order of upstream states', () => {
    fc.assert(
      fc.property(
        ruleArb,
        fc.array(stateArb, { maxLength: 8 }).chain((states) =>
          fc.tuple(fc.constant(states), fc.shuffledSubarray(states, { minLength: states.length, maxLength: states.length })),
        ),
        (rule, [states, shuffled]) => {
          expect(evaluateTriggerRule(rule, shuffled)).toBe(evaluateTriggerRule(rule, states));
        },
      ),
    );
  });

  it('once decided, stays decided as unfinished upstreams finish (and run stays run)', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(stateArb, { maxLength: 6 }), fc.array(fc.constantFrom(...OUTCOMES), { minLength: 6, maxLength: 6 }), (rule, states, outcomes) => {
        const before = evaluateTriggerRule(rule, states);
        const finished = states.map((s, i) => (isOutcome(s) || s === 'removed' ? s : (outcomes[i] as TaskState)));
        const after = evaluateTriggerRule(rule, finished);
        expect(after).not.toBe('wait');
        if (before !== 'wait') expect(after === 'run').toBe(before === 'run');
      }),
    );
  });

  it('never waits once every upstream is terminal', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(fc.constantFrom<TaskState>(...OUTCOMES, 'removed'), { maxLength: 8 }), (rule, states) => {
        expect(evaluateTriggerRule(rule, states)).not.toBe('wait');
      }),
    );
  });
});

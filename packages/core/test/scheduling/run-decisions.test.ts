import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DagStructure } from '../../src/authoring/structure.js';
import { decideRunTransitions, type RunDecisionInput, type TaskInstanceView } from '../../src/scheduling/run-decisions.js';
import type { TaskState } from '../../src/states.js';
import { d, makeStructure, makeTask } from './helpers.js';
import { allTerminal, dagArb, expectedRunState, simulateRun } from './run-simulator.js';

const NOW = d('2024-01-01T12:00:00Z');

/** Instances from `{ taskId: state }` (mapIndex -1), plus explicit extra rows. */
function rows(states: Record<string, TaskState>, extra: TaskInstanceView[] = []): TaskInstanceView[] {
  return [...Object.entries(states).map(([taskId, state]) => ({ taskId, mapIndex: -1, state, tryNumber: 1, maxTries: 1 })), ...extra];
}

function decide(structure: DagStructure, instances: TaskInstanceView[], extra: Partial<RunDecisionInput> = {}) {
  return decideRunTransitions({ structure, instances, branchFollows: {}, mapLengths: {}, now: NOW, ...extra });
}

const ids = (keys: { taskId: string; mapIndex: number }[]): string[] => keys.map((k) => (k.mapIndex < 0 ? k.taskId : `${k.taskId}[${k.mapIndex}]`));

const chain = makeStructure([makeTask('a'), makeTask('b', { upstream: ['a'] }), makeTask('c', { upstream: ['b'] })]);

describe('decideRunTransitions — trigger rules in topological order', () => {
  it('schedules roots first and nothing downstream of unfinished work', () => {
    const decision = decide(chain, rows({ a: 'none', b: 'none', c: 'none' }));
    expect(ids(decision.toScheduled)).toEqual(['a']);
    expect(decision.runState).toBeUndefined();
  });

  it('schedules a task once its upstream succeeded', () => {
    expect(ids(decide(chain, rows({ a: 'success', b: 'none', c: 'none' })).toScheduled)).toEqual(['b']);
  });

  it('cascades upstream_failed through the whole chain in one call, and the run fails', () => {
    const decision = decide(chain, rows({ a: 'failed', b: 'none', c: 'none' }));
    expect(ids(decision.toUpstreamFailed)).toEqual(['b', 'c']);
    expect(decision.runState).toBe('failed');
  });

  it('cascades skips in one call, and a run whose leaves are skipped succeeds', () => {
    const decision = decide(chain, rows({ a: 'skipped', b: 'none', c: 'none' }));
    expect(ids(decision.toSkipped)).toEqual(['b', 'c']);
    expect(decision.runState).toBe('success');
  });

  it('never touches scheduled, queued or running instances, and does not finish the run around them', () => {
    for (const state of ['scheduled', 'queued', 'running'] as const) {
      const decision = decide(chain, rows({ a: 'success', b: state, c: 'none' }));
      expect([...decision.toScheduled, ...decision.toSkipped, ...decision.toUpstreamFailed]).toEqual([]);
      expect(decision.runState).toBeUndefined();
    }
  });

  it('uses each task’s own trigger rule', () => {
    const s = makeStructure([
      makeTask('a'),
      makeTask('b'),
      makeTask('cleanup', { upstream: ['a', 'b'], triggerRule: 'all_done' }),
      makeTask('alert', { upstream: ['a', 'b'], triggerRule: 'one_failed' }),
      makeTask('happy', { upstream: ['a', 'b'], triggerRule: 'all_success' }),
    ]);
    const running = decide(s, rows({ a: 'failed', b: 'running', cleanup: 'none', alert: 'none', happy: 'none' }));
    expect(ids(running.toScheduled)).toEqual(['alert']);
    expect(ids(running.toUpstreamFailed)).toEqual(['happy']);
    const done = decide(s, rows({ a: 'failed', b: 'success', cleanup: 'none', alert: 'running', happy: 'upstream_failed' }));
    expect(ids(done.toScheduled)).toEqual(['cleanup']);
  });

  it('treats a task without an instance row as a none placeholder', () => {
    expect(decide(chain, rows({ a: 'success' })).toScheduled).toEqual([{ taskId: 'b', mapIndex: -1 }]);
  });

  it('does not modify its input', () => {
    const instances = rows({ a: 'failed', b: 'none', c: 'none' }).map((i) => Object.freeze(i));
    const input = Object.freeze({ structure: chain, instances: Object.freeze(instances), branchFollows: {}, mapLengths: {}, now: NOW });
    expect(() => decideRunTransitions(input)).not.toThrow();
    expect(instances.map((i) => i.state)).toEqual(['failed', 'none', 'none']);
  });
});

describe('decideRunTransitions — branches', () => {
  const s = makeStructure([
    makeTask('br', { kind: 'branch' }),
    makeTask('x', { upstream: ['br'] }),
    makeTask('y', { upstream: ['br'] }),
    makeTask('y2', { upstream: ['y'] }),
    makeTask('always', { upstream: ['br'], triggerRule: 'always' }),
    makeTask('join', { upstream: ['x', 'y2'], triggerRule: 'none_failed_min_one_success' }),
  ]);
  const initial = { br: 'success', x: 'none', y: 'none', y2: 'none', always: 'none', join: 'none' } as const;

  it('skips the direct downstream tasks not followed, whatever their rule, and the skip propagates', () => {
    const decision = decide(s, rows(initial), { branchFollows: { br: ['x'] } });
    expect(ids(decision.toScheduled)).toEqual(['x']);
    expect(ids(decision.toSkipped)).toEqual(['y', 'y2', 'always']);
    expect(decision.toUpstreamFailed).toEqual([]);
  });

  it('a join with none_failed_min_one_success runs after the followed path', () => {
    const decision = decide(s, rows({ ...initial, x: 'success', y: 'skipped', y2: 'skipped', always: 'skipped' }), { branchFollows: { br: ['x'] } });
    expect(ids(decision.toScheduled)).toEqual(['join']);
  });

  it('a branch without a follow list follows nothing', () => {
    const decision = decide(s, rows(initial));
    expect(ids(decision.toSkipped)).toEqual(['x', 'y', 'y2', 'always', 'join']);
    expect(decision.runState).toBe('success');
  });

  it('a branch that has not succeeded skips nothing by itself', () => {
    const decision = decide(s, rows({ ...initial, br: 'running' }), { branchFollows: { br: [] } });
    expect(ids(decision.toScheduled)).toEqual(['always']);
    expect(decision.toSkipped).toEqual([]);
  });

  it('is safe with task ids that are Object.prototype names', () => {
    const odd = makeStructure([makeTask('br', { kind: 'branch' }), makeTask('constructor', { upstream: ['br'] })]);
    expect(ids(decide(odd, rows({ br: 'success', ['constructor']: 'none' } as Record<string, TaskState>)).toSkipped)).toEqual(['constructor']);
  });
});

describe('decideRunTransitions — mapped tasks', () => {
  const s = makeStructure([
    makeTask('src'),
    makeTask('m', { kind: 'map', mapOver: 'src', upstream: ['src'] }),
    makeTask('after', { upstream: ['m'] }),
  ]);

  it('waits while the source runs or its length is not known yet', () => {
    expect(decide(s, rows({ src: 'running', m: 'none', after: 'none' })).expand).toEqual([]);
    const decision = decide(s, rows({ src: 'success', m: 'none', after: 'none' }));
    expect(decision.expand).toEqual([]);
    expect(decision.toScheduled).toEqual([]);
  });

  it('expands once the source succeeded, and the run is not finished while expansion is pending', () => {
    const decision = decide(s, rows({ src: 'success', m: 'none', after: 'none' }), { mapLengths: { src: 3 } });
    expect(decision.expand).toEqual([{ taskId: 'm', count: 3 }]);
    expect(decision.toScheduled).toEqual([]);
    expect(decision.runState).toBeUndefined();
  });

  it('schedules every expanded instance; downstream counts all of them; a leftover placeholder is ignored', () => {
    const mapped = (states: TaskState[]): TaskInstanceView[] => states.map((state, mapIndex) => ({ taskId: 'm', mapIndex, state, tryNumber: 1, maxTries: 1 }));
    const expanded = decide(s, rows({ src: 'success', m: 'none', after: 'none' }, mapped(['none', 'none', 'none'])), { mapLengths: { src: 3 } });
    expect(ids(expanded.toScheduled)).toEqual(['m[0]', 'm[1]', 'm[2]']);
    expect(expanded.expand).toEqual([]);
    const partial = decide(s, rows({ src: 'success', after: 'none' }, mapped(['success', 'running', 'success'])), { mapLengths: { src: 3 } });
    expect(partial.toScheduled).toEqual([]);
    const oneFailed = decide(s, rows({ src: 'success', after: 'none' }, mapped(['success', 'failed', 'success'])), { mapLengths: { src: 3 } });
    expect(ids(oneFailed.toUpstreamFailed)).toEqual(['after']);
    expect(oneFailed.runState).toBe('failed');
  });

  it('an empty array: expand with count 0 and treat the placeholder as skipped downstream in the same call', () => {
    const decision = decide(s, rows({ src: 'success', m: 'none', after: 'none' }), { mapLengths: { src: 0 } });
    expect(decision.expand).toEqual([{ taskId: 'm', count: 0 }]);
    expect(ids(decision.toSkipped)).toEqual(['after']);
    expect(decision.runState).toBe('success');
  });

  it('a source that ended without success never produces an array', () => {
    const lenient = makeStructure([makeTask('src'), makeTask('m', { kind: 'map', mapOver: 'src', upstream: ['src'], triggerRule: 'all_done' })]);
    expect(ids(decide(lenient, rows({ src: 'failed', m: 'none' })).toUpstreamFailed)).toEqual(['m']);
    expect(ids(decide(lenient, rows({ src: 'skipped', m: 'none' })).toSkipped)).toEqual(['m']);
  });

  it('an unexpanded mapped upstream is not done', () => {
    const s2 = makeStructure([...s.tasks.slice(0, 2), makeTask('after', { upstream: ['m'], triggerRule: 'all_done' })]);
    expect(decide(s2, rows({ src: 'running', m: 'none', after: 'none' })).toScheduled).toEqual([]);
  });
});

describe('decideRunTransitions — dependsOnPast, retries, reschedules', () => {
  const s = makeStructure([makeTask('a', { dependsOnPast: true })]);

  it.each<[TaskState | undefined, boolean]>([
    [undefined, true],
    ['success', true],
    ['skipped', true],
    ['failed', false],
    ['upstream_failed', false],
    ['running', false],
    ['none', false],
  ])('previous run state %s → runs: %s', (previous, runs) => {
    const previousRunStates: Record<string, TaskState> = previous === undefined ? {} : { a: previous };
    expect(decide(s, rows({ a: 'none' }), { previousRunStates }).toScheduled.length).toBe(runs ? 1 : 0);
  });

  it('ignores the previous run for tasks without dependsOnPast', () => {
    expect(decide(chain, rows({ a: 'none' }), { previousRunStates: { a: 'failed' } }).toScheduled).toHaveLength(1);
  });

  it('reports retries and reschedules whose time has come', () => {
    const instances: TaskInstanceView[] = [
      { taskId: 'a', mapIndex: -1, state: 'up_for_retry', tryNumber: 1, maxTries: 3, nextAttemptAt: d('2024-01-01T11:59:59Z') },
      { taskId: 'b', mapIndex: -1, state: 'up_for_retry', tryNumber: 1, maxTries: 3, nextAttemptAt: d('2024-01-01T12:00:01Z') },
      { taskId: 'c', mapIndex: -1, state: 'up_for_reschedule', tryNumber: 1, maxTries: 1, nextAttemptAt: NOW },
      { taskId: 'd', mapIndex: -1, state: 'up_for_retry', tryNumber: 1, maxTries: 3, nextAttemptAt: null },
    ];
    const s2 = makeStructure(['a', 'b', 'c', 'd'].map((id) => makeTask(id)));
    const decision = decide(s2, instances);
    expect(ids(decision.retryDue)).toEqual(['a', 'd']);
    expect(ids(decision.rescheduleDue)).toEqual(['c']);
    expect(decision.runState).toBeUndefined();
  });
});

describe('decideRunTransitions — run state', () => {
  const s = makeStructure([makeTask('a'), makeTask('b', { upstream: ['a'], triggerRule: 'all_done' })]);

  it('succeeds when the leaves succeeded even if an inner task failed', () => {
    expect(decide(s, rows({ a: 'failed', b: 'success' })).runState).toBe('success');
  });

  it('fails when a leaf failed', () => {
    expect(decide(s, rows({ a: 'success', b: 'failed' })).runState).toBe('failed');
  });

  it('waits for instances of tasks missing from the structure', () => {
    expect(decide(s, rows({ a: 'success', b: 'success', gone: 'running' })).runState).toBeUndefined();
    expect(decide(s, rows({ a: 'success', b: 'success', gone: 'removed' })).runState).toBe('success');
  });
});

describe('decideRunTransitions — simulated runs over random DAGs', () => {
  const params = { numRuns: 300 };

  it('(c) always terminates, (a) leaving no task non-terminal, (e) succeeding iff no leaf failed; (b)/(d) checked each step', () => {
    fc.assert(
      fc.property(dagArb, fc.integer(), (structure, seed) => {
        const result = simulateRun(structure, seed);
        expect(result.runState, `run finished within ${result.steps} steps`).toBeDefined();
        expect(allTerminal(result.instances)).toBe(true);
        expect(result.runState).toBe(expectedRunState(structure, result.instances));
      }),
      params,
    );
  });

  it('(b) tasks behind a skipped branch path with all_success never run', () => {
    fc.assert(
      fc.property(dagArb, fc.integer(), (structure, seed) => {
        const { instances, branchFollows } = simulateRun(structure, seed);
        const stateOf = (id: string): TaskState[] => instances.filter((i) => i.taskId === id).map((i) => i.state);
        for (const [branchId, follows] of Object.entries(branchFollows)) {
          for (const task of structure.tasks.filter((t) => t.upstream.includes(branchId) && !follows.includes(t.id))) {
            // An all_success task cannot start before its branch succeeded, so an excluded one never ran (it was
            // skipped by the branch, or already upstream_failed because another upstream failed first).
            const states = stateOf(task.id);
            if (task.triggerRule === 'all_success') expect(states.every((st) => st === 'skipped' || st === 'upstream_failed')).toBe(true);
          }
        }
        for (const task of structure.tasks.filter((t) => t.triggerRule === 'all_success')) {
          const upstreamSkipped = task.upstream.some((up) => stateOf(up).some((st) => st === 'skipped'));
          if (upstreamSkipped) expect(stateOf(task.id).every((st) => st === 'skipped' || st === 'upstream_failed')).toBe(true);
        }
      }),
      params,
    );
  });
});

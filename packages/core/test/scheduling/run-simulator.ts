/**
 * A test-only simulator for decideRunTransitions: random DAGs, and a loop that applies decisions and gives
 * scheduled instances random outcomes, checking invariants on every step.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { DagStructure, TaskKind, TaskNode } from '../../src/authoring/structure.js';
import { decideRunTransitions, type RunDecision, type TaskInstanceView } from '../../src/scheduling/run-decisions.js';
import { TRIGGER_RULES, isTerminalTaskState, type TaskState, type TriggerRule } from '../../src/states.js';
import { makeStructure, makeTask, referenceDecision } from './helpers.js';

/** A deterministic PRNG (mulberry32) so a failing case replays from its fast-check seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface TaskSpec {
  upstreamMask: number[];
  rule: TriggerRule;
  kind: 'task' | 'branch' | 'map';
  mapOverPick: number;
  retries: number;
  dependsOnPast: boolean;
}

const taskSpecArb: fc.Arbitrary<TaskSpec> = fc.record({
  upstreamMask: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 9, maxLength: 9 }),
  rule: fc.oneof({ weight: 3, arbitrary: fc.constant<TriggerRule>('all_success') }, { weight: 4, arbitrary: fc.constantFrom(...TRIGGER_RULES) }),
  kind: fc.constantFrom<'task' | 'branch' | 'map'>('task', 'task', 'branch', 'map'),
  mapOverPick: fc.nat(),
  retries: fc.integer({ min: 0, max: 2 }),
  dependsOnPast: fc.boolean(),
});

/** Random DAGs in topological order: edges only go from lower to higher index. */
export const dagArb: fc.Arbitrary<DagStructure> = fc.array(taskSpecArb, { minLength: 1, maxLength: 9 }).map((specs) => {
  const tasks: TaskNode[] = [];
  specs.forEach((spec, i) => {
    const upstream = tasks.filter((_, j) => (spec.upstreamMask[j] ?? 100) < 45).map((t) => t.id);
    const sources = tasks.filter((t) => upstream.includes(t.id) && t.kind === 'task');
    let kind: TaskKind = spec.kind;
    let mapOver: string | undefined;
    if (kind === 'map') {
      const source = sources[spec.mapOverPick % Math.max(1, sources.length)];
      if (source) mapOver = source.id;
      else kind = 'task';
    }
    tasks.push(
      makeTask(`t${i}`, { upstream: upstream.sort(), kind, mapOver, triggerRule: spec.rule, retries: spec.retries, dependsOnPast: spec.dependsOnPast }),
    );
  });
  return makeStructure(tasks);
});

/** What happened in one simulated run. */
export interface SimulationResult {
  runState: 'success' | 'failed' | undefined;
  instances: TaskInstanceView[];
  steps: number;
  branchFollows: Record<string, string[]>;
}

const key = (taskId: string, mapIndex: number): string => `${taskId}#${mapIndex}`;

/** Runs one DAG to completion with random outcomes, asserting invariants (d) and (b) at every step. */
export function simulateRun(structure: DagStructure, seed: number, maxSteps = 400): SimulationResult {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const byId = new Map(structure.tasks.map((t) => [t.id, t]));
  const downstreamOf = (id: string): string[] => structure.tasks.filter((t) => t.upstream.includes(id)).map((t) => t.id);
  let instances: TaskInstanceView[] = structure.tasks.map((t) => ({ taskId: t.id, mapIndex: -1, state: 'none', tryNumber: 0, maxTries: t.retries + 1 }));
  const branchFollows: Record<string, string[]> = {};
  const mapLengths: Record<string, number> = {};
  const previousRunStates: Record<string, TaskState> = {};
  for (const t of structure.tasks) if (random() < 0.5) previousRunStates[t.id] = pick<TaskState>(['success', 'skipped']);
  const branchExcluded = new Set<string>();
  let now = Date.parse('2024-01-01T00:00:00Z');

  for (let step = 1; step <= maxSteps; step++) {
    const before = new Map(instances.map((i) => [key(i.taskId, i.mapIndex), i.state]));
    const decision = decideRunTransitions({ structure, instances, branchFollows, mapLengths, previousRunStates, now: new Date(now) });
    instances = applyDecision(instances, decision, before);
    checkScheduledTasks(structure, instances, decision, branchFollows, branchExcluded);
    if (decision.runState) return { runState: decision.runState, instances, steps: step, branchFollows };

    // Execute: scheduled → running, running → a random outcome.
    for (const instance of instances) {
      const task = byId.get(instance.taskId) as TaskNode;
      if (instance.state === 'scheduled') {
        instance.state = 'running';
        instance.tryNumber += 1;
      } else if (instance.state === 'running') {
        const outcomes: TaskState[] = ['success', 'success', 'success', 'failed', 'skipped'];
        if (instance.tryNumber < instance.maxTries) outcomes.push('up_for_retry');
        instance.state = pick(outcomes);
        if (instance.state === 'up_for_retry') instance.nextAttemptAt = new Date(now + Math.floor(random() * 3000));
        if (instance.state === 'success' && task.kind === 'branch') {
          branchFollows[task.id] = downstreamOf(task.id).filter(() => random() < 0.5);
          for (const id of downstreamOf(task.id)) {
            const stillNone = instances.some((i) => i.taskId === id && i.state === 'none');
            if (!(branchFollows[task.id] ?? []).includes(id) && stillNone) branchExcluded.add(id);
          }
        }
        if (instance.state === 'success') mapLengths[task.id] = Math.floor(random() * 4);
      }
    }
    now += 1000;
  }
  return { runState: undefined, instances, steps: maxSteps, branchFollows };
}

function applyDecision(instances: TaskInstanceView[], decision: RunDecision, before: Map<string, TaskState>): TaskInstanceView[] {
  const find = (taskId: string, mapIndex: number): TaskInstanceView => {
    const found = instances.find((i) => i.taskId === taskId && i.mapIndex === mapIndex);
    expect(found, `instance ${taskId}[${mapIndex}] exists`).toBeDefined();
    return found as TaskInstanceView;
  };
  const moves: [readonly { taskId: string; mapIndex: number }[], TaskState, TaskState][] = [
    [decision.toScheduled, 'none', 'scheduled'],
    [decision.toSkipped, 'none', 'skipped'],
    [decision.toUpstreamFailed, 'none', 'upstream_failed'],
    [decision.retryDue, 'up_for_retry', 'scheduled'],
    [decision.rescheduleDue, 'up_for_reschedule', 'scheduled'],
  ];
  const touched = new Set<string>();
  for (const [keys, from, to] of moves) {
    for (const k of keys) {
      const id = key(k.taskId, k.mapIndex);
      expect(touched.has(id), `${id} decided once per call`).toBe(false);
      touched.add(id);
      expect(before.get(id), `${id} was ${from}`).toBe(from);
      find(k.taskId, k.mapIndex).state = to;
    }
  }
  let out = instances;
  for (const { taskId, count } of decision.expand) {
    const placeholder = find(taskId, -1);
    expect(placeholder.state).toBe('none');
    if (count === 0) placeholder.state = 'skipped';
    else {
      out = out.filter((i) => i !== placeholder);
      for (let m = 0; m < count; m++) out.push({ taskId, mapIndex: m, state: 'none', tryNumber: 0, maxTries: placeholder.maxTries });
    }
  }
  return out;
}

/** (d) every scheduled task's rule is met by its upstreams; (b) excluded branch targets never run. */
function checkScheduledTasks(
  structure: DagStructure,
  instances: readonly TaskInstanceView[],
  decision: RunDecision,
  branchFollows: Readonly<Record<string, string[]>>,
  branchExcluded: ReadonlySet<string>,
): void {
  const byId = new Map(structure.tasks.map((t) => [t.id, t]));
  for (const taskId of new Set(decision.toScheduled.map((k) => k.taskId))) {
    const task = byId.get(taskId) as TaskNode;
    const upstreamStates = instances.filter((i) => task.upstream.includes(i.taskId)).map((i) => i.state);
    expect(referenceDecision(task.triggerRule, upstreamStates), `${taskId} (${task.triggerRule}) over [${upstreamStates.join(',')}]`).toBe('run');
    if (task.triggerRule === 'all_success') expect(upstreamStates.every((s) => s === 'success')).toBe(true);
    expect(branchExcluded.has(taskId), `${taskId} was excluded by a branch`).toBe(false);
    for (const up of task.upstream) {
      const upstreamTask = byId.get(up);
      const upSucceeded = instances.some((i) => i.taskId === up && i.state === 'success');
      if (upstreamTask?.kind === 'branch' && upSucceeded) expect(branchFollows[up] ?? []).toContain(taskId);
    }
  }
}

/** The run state semantics.md asks for, from final instance states. */
export function expectedRunState(structure: DagStructure, instances: readonly TaskInstanceView[]): 'success' | 'failed' {
  const upstreamIds = new Set(structure.tasks.flatMap((t) => t.upstream));
  const leafFailed = instances.some((i) => !upstreamIds.has(i.taskId) && (i.state === 'failed' || i.state === 'upstream_failed'));
  return leafFailed ? 'failed' : 'success';
}

/** True when every instance is terminal. */
export const allTerminal = (instances: readonly TaskInstanceView[]): boolean => instances.every((i) => isTerminalTaskState(i.state));

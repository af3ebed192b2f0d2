import type { DagStructure, TaskNode } from '../authoring/structure.js';
import { isTerminalTaskState, type TaskState } from '../states.js';
import { ownValue } from './record.js';
import { evaluateTriggerRule } from './trigger-rules.js';

/** The scheduler's view of one task instance of a run. */
export interface TaskInstanceView {
  taskId: string;
  /** -1 for an unmapped task and for the placeholder of a mapped task that is not expanded yet. */
  mapIndex: number;
  state: TaskState;
  tryNumber: number;
  maxTries: number;
  /** For `up_for_retry` / `up_for_reschedule`: when it may be scheduled again. */
  nextAttemptAt?: Date | null;
}

/** The state of one run, as {@link decideRunTransitions} needs it. */
export interface RunDecisionInput {
  /** The DAG version the run is pinned to; `tasks` must be in topological order. */
  structure: DagStructure;
  /** Every task instance row of the run. */
  instances: readonly TaskInstanceView[];
  /** Successful branch task id → the ids of the direct downstream tasks it chose to follow. */
  branchFollows: Readonly<Record<string, readonly string[]>>;
  /** `mapOver` source task id → length of its array output; present once the source succeeded. */
  mapLengths: Readonly<Record<string, number>>;
  /**
   * For `dependsOnPast`: task id → that task's state in the previous run (by logical date). No entry means
   * no previous run (or no such task in it).
   */
  previousRunStates?: Readonly<Record<string, TaskState>>;
  now: Date;
}

/** Identifies one task instance of a run. */
export interface TaskKey {
  taskId: string;
  mapIndex: number;
}

/** State changes for one run, to apply with guarded updates. */
export interface RunDecision {
  /** `none` → `scheduled`: the trigger rule is met. */
  toScheduled: TaskKey[];
  /** `none` → `skipped`. */
  toSkipped: TaskKey[];
  /** `none` → `upstream_failed`. */
  toUpstreamFailed: TaskKey[];
  /**
   * Mapped tasks whose placeholder (mapIndex -1) is ready: create `count` instances (mapIndex 0..count−1,
   * state `none`) in place of the placeholder; with `count` 0 mark the placeholder `skipped` instead.
   */
  expand: { taskId: string; count: number }[];
  /** `up_for_retry` instances whose retry time has come (→ `scheduled`). */
  retryDue: TaskKey[];
  /** `up_for_reschedule` instances whose next poke time has come (→ `scheduled`). */
  rescheduleDue: TaskKey[];
  /** Set when, after applying this decision, the run is finished. */
  runState?: 'success' | 'failed';
}

interface Slot {
  mapIndex: number;
  state: TaskState;
}

/** The instances of each task; a task without rows gets a `none` placeholder; expanded maps drop theirs. */
function initialSlots(structure: DagStructure, instances: readonly TaskInstanceView[]): Map<string, Slot[]> {
  const slots = new Map<string, Slot[]>();
  for (const instance of instances) {
    const list = slots.get(instance.taskId) ?? [];
    list.push({ mapIndex: instance.mapIndex, state: instance.state });
    slots.set(instance.taskId, list);
  }
  for (const task of structure.tasks) {
    let list = slots.get(task.id) ?? [{ mapIndex: -1, state: 'none' }];
    if (task.kind === 'map' && list.some((s) => s.mapIndex >= 0)) list = list.filter((s) => s.mapIndex >= 0);
    slots.set(task.id, list.sort((a, b) => a.mapIndex - b.mapIndex));
  }
  return slots;
}

/** One state for a whole task: success only if every instance succeeded; `none` while any is not done. */
function aggregateState(slots: readonly Slot[]): TaskState {
  if (slots.some((s) => !isTerminalTaskState(s.state))) return 'none';
  if (slots.every((s) => s.state === 'success')) return 'success';
  if (slots.some((s) => s.state === 'failed')) return 'failed';
  if (slots.some((s) => s.state === 'upstream_failed')) return 'upstream_failed';
  return 'skipped';
}

/**
 * Decides every state change one run needs now. Pure; the caller applies the result with guarded updates
 * and calls again on its next loop.
 *
 * - Instances in `none` are evaluated in topological order with {@link evaluateTriggerRule} over all
 *   instances of each direct upstream task (a mapped upstream counts every mapped instance; one not
 *   expanded yet is not done). Decisions feed later tasks in the same call, so skips and upstream failures
 *   cascade through the whole DAG at once. A task with no instance row is treated as one `none` row with
 *   mapIndex -1 (the caller creates it when applying a decision for it).
 * - Branches: for a branch task that succeeded, each direct downstream task not in its `branchFollows` list
 *   (no entry = follow nothing) is skipped whatever its trigger rule; the skip then propagates through
 *   the downstream tasks' trigger rules.
 * - `dependsOnPast`: a task whose rule says run waits while its previous-run state is present and is
 *   neither `success` nor `skipped`.
 * - Mapped tasks (kind `map`): when the placeholder is ready, `expand` with `mapLengths[mapOver]`. With
 *   count 0 the placeholder counts as skipped for downstream tasks in this same call. While the length is
 *   unknown it waits, unless the source ended without succeeding (it will never produce an array): then
 *   the placeholder becomes `upstream_failed` if the source failed or was upstream_failed, else `skipped`.
 *   Once expanded instances (mapIndex >= 0) exist, a leftover placeholder row is ignored. A `map` task
 *   without `mapOver` is scheduled like an ordinary task.
 * - `retryDue` / `rescheduleDue`: `up_for_retry` / `up_for_reschedule` instances with `nextAttemptAt <=
 *   now` (or no `nextAttemptAt`).
 * - `runState`: once every instance is terminal after this decision and no expansion is pending: `failed`
 *   if an instance of a leaf task (no downstream) is `failed` or `upstream_failed`, else `success`.
 *
 * Instances in scheduled/queued/running (and terminal ones) are never touched.
 */
export function decideRunTransitions(input: RunDecisionInput): RunDecision {
  const { structure, branchFollows, mapLengths, previousRunStates, now } = input;
  const decision: RunDecision = { toScheduled: [], toSkipped: [], toUpstreamFailed: [], expand: [], retryDue: [], rescheduleDue: [] };
  const slots = initialSlots(structure, input.instances);
  const nodes = new Map(structure.tasks.map((t) => [t.id, t]));
  let expansionPending = false;

  const slotsOf = (taskId: string): Slot[] => slots.get(taskId) ?? [];
  const moveNoneInstances = (task: TaskNode, state: 'scheduled' | 'skipped' | 'upstream_failed'): void => {
    const target = state === 'scheduled' ? decision.toScheduled : state === 'skipped' ? decision.toSkipped : decision.toUpstreamFailed;
    for (const slot of slotsOf(task.id)) {
      if (slot.state !== 'none') continue;
      slot.state = state;
      target.push({ taskId: task.id, mapIndex: slot.mapIndex });
    }
  };
  const skippedByBranch = (task: TaskNode): boolean =>
    task.upstream.some((up) => {
      const node = nodes.get(up);
      if (node?.kind !== 'branch' || aggregateState(slotsOf(up)) !== 'success') return false;
      return !(ownValue(branchFollows, up) ?? []).includes(task.id);
    });

  for (const task of structure.tasks) {
    const mine = slotsOf(task.id);
    if (!mine.some((s) => s.state === 'none')) continue;
    if (skippedByBranch(task)) {
      moveNoneInstances(task, 'skipped');
      continue;
    }
    const upstreamStates = task.upstream.flatMap((up) => slotsOf(up).map((s) => s.state));
    const verdict = evaluateTriggerRule(task.triggerRule, upstreamStates);
    if (verdict === 'skip') moveNoneInstances(task, 'skipped');
    else if (verdict === 'upstream_failed') moveNoneInstances(task, 'upstream_failed');
    if (verdict !== 'run') continue;

    const previous = ownValue(previousRunStates, task.id);
    if (task.dependsOnPast && previous !== undefined && previous !== 'success' && previous !== 'skipped') continue;

    const unexpanded = task.kind === 'map' && task.mapOver !== undefined && mine.every((s) => s.mapIndex < 0);
    if (!unexpanded) {
      moveNoneInstances(task, 'scheduled');
      continue;
    }
    const source = task.mapOver as string;
    const count = ownValue(mapLengths, source);
    if (count === undefined) {
      const sourceState = aggregateState(slotsOf(source));
      if (sourceState === 'failed' || sourceState === 'upstream_failed') moveNoneInstances(task, 'upstream_failed');
      else if (sourceState === 'skipped') moveNoneInstances(task, 'skipped');
      continue;
    }
    decision.expand.push({ taskId: task.id, count });
    if (count > 0) expansionPending = true;
    else for (const slot of mine) if (slot.state === 'none') slot.state = 'skipped';
  }

  for (const instance of input.instances) {
    const due = instance.nextAttemptAt == null || instance.nextAttemptAt.getTime() <= now.getTime();
    if (!due) continue;
    if (instance.state === 'up_for_retry') decision.retryDue.push({ taskId: instance.taskId, mapIndex: instance.mapIndex });
    if (instance.state === 'up_for_reschedule') decision.rescheduleDue.push({ taskId: instance.taskId, mapIndex: instance.mapIndex });
  }

  const runState = expansionPending ? undefined : finishedRunState(structure, slots);
  if (runState) decision.runState = runState;
  return decision;
}

/** `success`/`failed` when every instance (of any task, known to the structure or not) is terminal. */
function finishedRunState(structure: DagStructure, slots: ReadonlyMap<string, readonly Slot[]>): 'success' | 'failed' | undefined {
  for (const list of slots.values()) if (list.some((s) => !isTerminalTaskState(s.state))) return undefined;
  const hasDownstream = new Set(structure.tasks.flatMap((t) => t.upstream));
  const leafFailed = structure.tasks.some(
    (t) => !hasDownstream.has(t.id) && (slots.get(t.id) ?? []).some((s) => s.state === 'failed' || s.state === 'upstream_failed'),
  );
  return leafFailed ? 'failed' : 'success';
}

import { ownValue } from './record.js';

/** A `scheduled` task instance that could be queued for a worker. */
export interface QueueCandidate {
  runPk: number;
  taskId: string;
  mapIndex: number;
  dagId: string;
  pool: string;
  /** Pool slots the instance occupies while queued/running. */
  poolSlots: number;
  priorityWeight: number;
  /** For mapped tasks: at most this many instances of the task (in one run) active at once. */
  maxActiveMapped?: number;
  /** When the instance became `scheduled`; older ones go first among equal priorities. */
  scheduledAt?: Date;
}

/** Everything {@link selectTasksToQueue} weighs. */
export interface QueueSelectionInput {
  candidates: readonly QueueCandidate[];
  /** Pool name → slots free right now. A pool missing here has 0 open slots. */
  poolOpenSlots: Readonly<Record<string, number>>;
  /** DAG id → its task instances queued or running now (missing = 0). */
  dagActiveTasks: Readonly<Record<string, number>>;
  /** DAG id → its `maxActiveTasks` (missing = unlimited). */
  dagMaxActiveTasks: Readonly<Record<string, number>>;
  /** `${runPk}:${taskId}` → instances of that mapped task queued or running now (missing = 0). */
  mappedActive: Readonly<Record<string, number>>;
  /** Queue at most this many (default: no limit). */
  limit?: number;
}

function compareCandidates(a: QueueCandidate, b: QueueCandidate): number {
  if (a.priorityWeight !== b.priorityWeight) return b.priorityWeight - a.priorityWeight;
  const aAt = a.scheduledAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const bAt = b.scheduledAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (aAt !== bAt) return aAt < bAt ? -1 : 1;
  if (a.runPk !== b.runPk) return a.runPk - b.runPk;
  if (a.taskId !== b.taskId) return a.taskId < b.taskId ? -1 : 1;
  return a.mapIndex - b.mapIndex;
}

/**
 * Picks which `scheduled` instances to move to `queued`, in the order to queue them: highest
 * `priorityWeight` first, then oldest `scheduledAt` (instances without one after those with one), then
 * lowest run, task id and map index so the order is total and deterministic.
 *
 * Walking that order, an instance is taken only if it fits every limit, counting the instances already
 * taken in this call: its pool has at least `poolSlots` open slots, its DAG is below `maxActiveTasks`,
 * and for a mapped task (with `maxActiveMapped`) fewer than that many of its instances in the same run are
 * active. An instance that does not fit is passed over and lower-priority instances that fit are still
 * taken (as Airflow does), so a large task cannot block a pool. Stops after `limit` instances.
 */
export function selectTasksToQueue(input: QueueSelectionInput): QueueCandidate[] {
  const poolOpen = new Map(Object.entries(input.poolOpenSlots));
  const dagActive = new Map(Object.entries(input.dagActiveTasks));
  const mappedActive = new Map(Object.entries(input.mappedActive));
  const limit = input.limit ?? Number.POSITIVE_INFINITY;
  const selected: QueueCandidate[] = [];

  for (const candidate of [...input.candidates].sort(compareCandidates)) {
    if (selected.length >= limit) break;
    const open = poolOpen.get(candidate.pool) ?? 0;
    if (open < candidate.poolSlots) continue;
    const active = dagActive.get(candidate.dagId) ?? 0;
    const maxActive = ownValue(input.dagMaxActiveTasks, candidate.dagId) ?? Number.POSITIVE_INFINITY;
    if (active >= maxActive) continue;
    const mappedKey = `${candidate.runPk}:${candidate.taskId}`;
    const mapped = mappedActive.get(mappedKey) ?? 0;
    if (candidate.maxActiveMapped !== undefined && mapped >= candidate.maxActiveMapped) continue;

    selected.push(candidate);
    poolOpen.set(candidate.pool, open - candidate.poolSlots);
    dagActive.set(candidate.dagId, active + 1);
    mappedActive.set(mappedKey, mapped + 1);
  }
  return selected;
}

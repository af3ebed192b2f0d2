import type { DagStructure, TaskNode } from '../authoring/structure.js';
import type { ScheduleSpec } from '../authoring/schedule.js';
import type { BackfillRecord } from '../store/backfill-list.js';
import type { AttemptRecord } from '../store/attempts.js';
import type { StoredLogLine } from '../store/logs.js';
import type { DagRunRecord, TaskInstanceRecord } from '../store/rows.js';

/** The API's Run shape (see the contract in the README's API section). */
export function runJson(r: DagRunRecord): Record<string, unknown> {
  return {
    runId: r.runId,
    dagId: r.dagId,
    state: r.state,
    runType: r.runType,
    logicalDate: r.logicalDate,
    dataIntervalStart: r.dataIntervalStart,
    dataIntervalEnd: r.dataIntervalEnd,
    queuedAt: r.createdAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    conf: r.conf,
    backfillId: r.backfillId === null ? null : String(r.backfillId),
  };
}

/** The API's RunSummary shape. */
export function runSummaryJson(r: DagRunRecord): { runId: string; state: string; logicalDate: Date } {
  return { runId: r.runId, state: r.state, logicalDate: r.logicalDate };
}

/** The API's TaskInstance shape; `node` (from the run's DAG version) gives the operator. */
export function taskInstanceJson(ti: TaskInstanceRecord, node: TaskNode | undefined): Record<string, unknown> {
  return {
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    state: ti.state,
    tryNumber: ti.tryNumber,
    maxTries: ti.maxTries,
    startedAt: ti.startedAt,
    endedAt: ti.endedAt,
    durationMs: ti.startedAt && ti.endedAt ? ti.endedAt.getTime() - ti.startedAt.getTime() : null,
    queue: ti.queue,
    pool: ti.pool,
    operator: node?.operator ?? null,
    nextAttemptAt: ti.nextAttemptAt,
  };
}

/** The group of a task: its id up to the last `.` (task groups prefix ids with `<group>.`), or null. */
export function taskGroup(taskId: string): string | null {
  const at = taskId.lastIndexOf('.');
  return at > 0 ? taskId.slice(0, at) : null;
}

/** The tasks of DagDetail, in topological order. `map` tasks are shown as kind `mapped`. */
export function taskNodesJson(structure: DagStructure): Record<string, unknown>[] {
  return structure.tasks.map((t) => ({
    taskId: t.id,
    kind: t.kind === 'map' ? 'mapped' : t.kind,
    operator: t.operator ?? null,
    upstream: t.upstream,
    triggerRule: t.triggerRule,
    retries: t.retries,
    pool: t.pool,
    queue: t.queue,
    group: taskGroup(t.id),
  }));
}

/** A schedule as a short string: the cron expression, `@once`, `every 15m`, `assets: …`; null for manual only. */
export function scheduleText(schedule: ScheduleSpec): string | null {
  switch (schedule.kind) {
    case 'none':
      return null;
    case 'once':
      return '@once';
    case 'cron':
      return schedule.expression;
    case 'interval':
      return `every ${formatEvery(schedule.everyMs)}`;
    case 'assets':
      return `assets: ${schedule.uris.join(', ')}`;
  }
}

function formatEvery(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The API's Attempt shape. */
export function attemptJson(a: AttemptRecord): Record<string, unknown> {
  return { attemptId: a.attemptId, tryNumber: a.tryNumber, state: a.state, startedAt: a.startedAt, endedAt: a.endedAt, hostname: a.hostname, error: a.error };
}

/** The API's LogLine shape (`fields` null when empty). */
export function logLineJson(l: StoredLogLine): Record<string, unknown> {
  const fields = l.fields && Object.keys(l.fields).length > 0 ? l.fields : null;
  return { id: l.id, at: l.at, level: l.level, message: l.message, fields };
}

/** The API's Backfill shape: `done` counts finished runs (success or failed). */
export function backfillJson(b: BackfillRecord): Record<string, unknown> {
  return {
    backfillId: String(b.id),
    dagId: b.dagId,
    from: b.from,
    to: b.to,
    state: b.state,
    reprocess: b.reprocess,
    maxActiveRuns: b.maxActiveRuns,
    total: b.runs.total,
    done: b.runs.success + b.runs.failed,
    failed: b.runs.failed,
    running: b.runs.running,
    createdAt: b.createdAt,
  };
}

/**
 * A stored params JSON Schema with each object's `properties` back in declaration order (from its
 * `x-order`; the store's jsonb sorts keys), so the UI's trigger form follows the code.
 */
export function orderedParamsSchema(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = schema as Record<string, unknown>;
  const properties = s.properties as Record<string, unknown> | undefined;
  if (!properties || typeof properties !== 'object') return s;
  const order = Array.isArray(s['x-order']) ? s['x-order'].map(String) : [];
  const keys = [...order.filter((k) => k in properties), ...Object.keys(properties).filter((k) => !order.includes(k))];
  return { ...s, properties: Object.fromEntries(keys.map((k) => [k, orderedParamsSchema(properties[k])])) };
}

import type { Knex } from 'knex';
import type { DagStructure, TaskNode } from '../authoring/structure.js';
import type { Logger } from '../logger.js';
import { decideRunTransitions, type TaskInstanceView } from '../scheduling/run-decisions.js';
import { isSlaMissed } from '../scheduling/sla.js';
import { getDecisionOutputs } from '../store/outputs.js';
import type { DagRunRecord } from '../store/rows.js';
import { finishRun, getPreviousRunStates, listActiveRuns, markSlaMissed, startRuns } from '../store/runs.js';
import { applyRunDecision, listTaskInstances } from '../store/task-instances.js';
import { rowsOf } from '../store/rows.js';
import type { VersionCache } from './dag-registry.js';

/** A run that just ended, or missed its SLA (for notifications). */
export interface RunEvent {
  kind: 'run_success' | 'run_failed' | 'sla_miss';
  run: DagRunRecord;
}

/** Starts queued runs within maxActiveRuns (per DAG; backfill runs within their backfill's own limit, even when paused). */
async function startQueuedRuns(knex: Knex, runs: DagRunRecord[], versions: VersionCache, paused: ReadonlySet<string>): Promise<DagRunRecord[]> {
  const backfillLimits = new Map(
    rowsOf(await knex.raw(`SELECT id, max_active_runs FROM sluice_backfills WHERE state = 'running'`)).map((r) => [Number(r.id), Number(r.max_active_runs)]),
  );
  const active = new Map<string, number>();
  const inBackfill = (r: DagRunRecord): boolean => r.backfillId !== null && backfillLimits.has(r.backfillId);
  const key = (r: DagRunRecord): string => (inBackfill(r) ? `backfill:${r.backfillId}` : `dag:${r.dagId}`);
  for (const r of runs) if (r.state === 'running') active.set(key(r), (active.get(key(r)) ?? 0) + 1);
  const toStart: DagRunRecord[] = [];
  for (const r of runs) {
    // A paused DAG starts no new runs, except the runs of a backfill someone explicitly asked for.
    if (r.state !== 'queued' || (paused.has(r.dagId) && !inBackfill(r))) continue;
    let limit: number;
    if (inBackfill(r)) {
      limit = backfillLimits.get(r.backfillId as number) as number;
    } else if (r.runType === 'backfill') {
      continue; // its backfill was cancelled or finished
    } else {
      limit = (await versions.get(r.dagId, r.versionHash))?.maxActiveRuns ?? 16;
    }
    const n = active.get(key(r)) ?? 0;
    if (n >= limit) continue;
    active.set(key(r), n + 1);
    toStart.push(r);
  }
  const started = new Set(await startRuns(knex, toStart.map((r) => r.pk)));
  return toStart.filter((r) => started.has(r.pk)).map((r) => ({ ...r, state: 'running' as const }));
}

/**
 * One pass over active runs: start queued runs, then for every running run decide (pure) which task
 * instances become scheduled / skipped / upstream_failed / expanded / due again, apply that with guarded
 * updates, and end runs whose tasks are all terminal. Returns run events for notifications.
 */
export async function advanceRuns(knex: Knex, versions: VersionCache, paused: ReadonlySet<string>, now: Date, logger: Logger): Promise<RunEvent[]> {
  const all = await listActiveRuns(knex);
  const started = await startQueuedRuns(knex, all, versions, paused);
  const running = [...all.filter((r) => r.state === 'running'), ...started];
  if (running.length === 0) return [];
  const events: RunEvent[] = [];
  const instances = await listTaskInstances(knex, running.map((r) => r.pk));
  const byRun = new Map<number, TaskInstanceView[]>();
  for (const ti of instances) {
    const list = byRun.get(ti.runPk) ?? [];
    list.push({ taskId: ti.taskId, mapIndex: ti.mapIndex, state: ti.state, tryNumber: ti.tryNumber, maxTries: ti.maxTries, nextAttemptAt: ti.nextAttemptAt });
    byRun.set(ti.runPk, list);
  }
  const structures = new Map<number, DagStructure>();
  const branchIds = new Set<string>();
  const sourceIds = new Set<string>();
  for (const run of running) {
    const s = await versions.get(run.dagId, run.versionHash);
    if (!s) {
      logger.error('run is pinned to an unknown DAG version; skipping it', { dagId: run.dagId, runId: run.runId, version: run.versionHash });
      continue;
    }
    structures.set(run.pk, s);
    for (const t of s.tasks) {
      if (t.kind === 'branch') branchIds.add(t.id);
      if (t.mapOver) sourceIds.add(t.mapOver);
    }
  }
  const outputs = await getDecisionOutputs(knex, [...structures.keys()], [...branchIds], [...sourceIds]);
  for (const run of running) {
    const structure = structures.get(run.pk);
    if (!structure) continue;
    const views = byRun.get(run.pk) ?? [];
    const needsPast = structure.tasks.some((t) => t.dependsOnPast);
    const previousRunStates = needsPast ? await getPreviousRunStates(knex, run) : undefined;
    const decision = decideRunTransitions({
      structure,
      instances: views,
      branchFollows: outputs.get(run.pk)?.branchFollows ?? {},
      mapLengths: outputs.get(run.pk)?.mapLengths ?? {},
      ...(previousRunStates ? { previousRunStates } : {}),
      now,
    });
    const changes =
      decision.toScheduled.length + decision.toSkipped.length + decision.toUpstreamFailed.length + decision.expand.length + decision.retryDue.length + decision.rescheduleDue.length;
    if (changes > 0) {
      const tasks = new Map<string, TaskNode>(structure.tasks.map((t) => [t.id, t]));
      await knex.transaction((trx) => applyRunDecision(trx, run.pk, decision, tasks));
    }
    if (decision.runState) {
      if (await finishRun(knex, run.pk, decision.runState)) {
        logger.info(`run ${decision.runState}`, { dagId: run.dagId, runId: run.runId });
        events.push({ kind: decision.runState === 'success' ? 'run_success' : 'run_failed', run: { ...run, state: decision.runState } });
      }
    } else if (isSlaMissed(run, structure.slaMs, now) && (await markSlaMissed(knex, run.pk))) {
      events.push({ kind: 'sla_miss', run });
    }
  }
  return events;
}

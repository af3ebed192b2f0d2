import type { Knex } from 'knex';
import type { Dag } from '../authoring/dag.js';
import type { DagStructure } from '../authoring/structure.js';
import type { Logger } from '../logger.js';
import { isAssetRunDue } from '../scheduling/assets.js';
import { computeDueRuns } from '../scheduling/due-runs.js';
import { consumeAssetEvents, getAssetCursors, latestAssetEventIds } from '../store/assets.js';
import { createDagRun } from '../store/create-run.js';
import { getDagRunSummaries } from '../store/runs.js';

/** A DAG ready to be scheduled: its code, current structure and version. */
export interface SchedulableDag {
  dag: Dag<unknown>;
  structure: DagStructure;
  versionHash: string;
}

/**
 * Creates the runs that are due now for unpaused DAGs: time-scheduled ones per their data intervals
 * (catchup, maxActiveRuns), asset-scheduled ones once every asset has a new event. Run uniqueness is the
 * database's unique constraint, so two schedulers doing this at once create each run once.
 */
export async function createDueRuns(knex: Knex, dags: readonly SchedulableDag[], paused: ReadonlySet<string>, now: Date, logger: Logger): Promise<number> {
  const summaries = await getDagRunSummaries(knex, dags.filter((d) => !paused.has(d.structure.dagId)).map((d) => d.structure.dagId));
  let created = 0;
  for (const { structure: s, versionHash } of dags) {
    if (paused.has(s.dagId)) continue;
    if (s.schedule.kind === 'assets') {
      created += await createAssetRun(knex, s, versionHash, now, logger);
      continue;
    }
    const summary = summaries.get(s.dagId);
    const intervals = computeDueRuns({
      schedule: s.schedule,
      timezone: s.timezone,
      ...(s.start ? { start: new Date(s.start) } : {}),
      ...(s.end ? { end: new Date(s.end) } : {}),
      catchup: s.catchup,
      maxActiveRuns: s.maxActiveRuns,
      activeRunCount: summary?.activeRuns ?? 0,
      ...(summary?.lastScheduledLogicalDate ? { lastScheduledLogicalDate: summary.lastScheduledLogicalDate } : {}),
      hasAnyRun: summary?.hasAnyRun ?? false,
      now,
    });
    for (const interval of intervals) {
      const run = await createDagRun(knex, {
        structure: s,
        versionHash,
        logicalDate: interval.start,
        dataIntervalStart: interval.start,
        dataIntervalEnd: interval.end,
        runType: 'scheduled',
      });
      if (run) {
        created++;
        logger.info('created run', { dagId: s.dagId, runId: run.runId });
      }
    }
  }
  return created;
}

async function createAssetRun(knex: Knex, s: DagStructure, versionHash: string, now: Date, logger: Logger): Promise<number> {
  if (s.schedule.kind !== 'assets') return 0;
  const uris = s.schedule.uris;
  const [cursors, latest] = await Promise.all([getAssetCursors(knex, s.dagId, uris), latestAssetEventIds(knex, uris)]);
  if (!isAssetRunDue(uris, cursors, latest)) return 0;
  return knex.transaction(async (trx) => {
    const eventIds = await consumeAssetEvents(trx, s.dagId, cursors, latest);
    if (!eventIds) return 0;
    const run = await createDagRun(trx, {
      structure: s,
      versionHash,
      logicalDate: now,
      dataIntervalStart: now,
      dataIntervalEnd: now,
      runType: 'asset',
      triggeringAssetEventIds: eventIds,
    });
    if (!run) throw new Error(`asset run for ${s.dagId} at ${now.toISOString()} already exists`);
    logger.info('created asset-triggered run', { dagId: s.dagId, runId: run.runId, events: eventIds.length });
    return 1;
  });
}

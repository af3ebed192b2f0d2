import type { DagStructure } from '../../authoring/structure.js';
import { describeSchedule } from '../../scheduling/describe-schedule.js';
import { listDags, listImportErrors, setDagPaused, type DagRecord } from '../../store/dags.js';
import { countGridStates } from '../../store/grid.js';
import { listRecentRuns } from '../../store/run-page.js';
import { getDagRunSummaries } from '../../store/runs.js';
import type { DagRunRecord } from '../../store/rows.js';
import { addRoute, param, latestStructure, requireDag, type ApiApp, type ApiContext } from '../context.js';
import { computeNextRun } from '../next-run.js';
import { emptyQuery, gridQuery, patchDagBody, readBody, readQuery } from '../schemas.js';
import { orderedParamsSchema, runJson, runSummaryJson, scheduleText, taskGroup, taskNodesJson } from '../serialize.js';
import { buildGridCells } from './grid-cells.js';

const RECENT_RUNS = 10;

async function dagsJson(ctx: ApiContext, records: readonly DagRecord[]): Promise<Record<string, unknown>[]> {
  const ids = records.map((d) => d.dagId);
  const summaries = await getDagRunSummaries(ctx.db.knex, ids);
  const recent = await listRecentRuns(ctx.db.knex, ids, RECENT_RUNS);
  const now = ctx.clock.now();
  const out: Record<string, unknown>[] = [];
  for (const d of records) {
    const structure = d.latestVersion ? await ctx.versions.get(d.dagId, d.latestVersion) : undefined;
    out.push(dagJson(d, structure, summaries.get(d.dagId) ?? { hasAnyRun: false }, recent.get(d.dagId) ?? [], now));
  }
  return out;
}

function dagJson(
  d: DagRecord,
  s: DagStructure | undefined,
  summary: { lastScheduledLogicalDate?: Date; hasAnyRun: boolean },
  recent: readonly DagRunRecord[],
  now: Date,
): Record<string, unknown> {
  const schedule = s?.schedule ?? { kind: 'none' as const };
  const timezone = s?.timezone ?? 'UTC';
  return {
    dagId: d.dagId,
    description: d.description,
    file: d.filePath,
    schedule: scheduleText(schedule),
    scheduleDescription: describeSchedule(schedule, timezone),
    timezone,
    paused: d.isPaused,
    owner: null,
    tags: d.tags,
    nextRun: s ? computeNextRun(s, summary, now) : null,
    lastRun: recent[0] ? runSummaryJson(recent[0]) : null,
    recentRuns: recent.map(runSummaryJson),
  };
}

/** `GET /dags`, `GET /dags/{dagId}`, `PATCH /dags/{dagId}` (pause), `GET /dags/{dagId}/grid`. */
export function registerDagRoutes(app: ApiApp, ctx: ApiContext): void {
  addRoute(app, ctx, { method: 'get', path: '/api/v1/dags', summary: 'List active DAGs with next run, last run, paused flag; import errors', query: emptyQuery }, async (c) => {
    readQuery(c, emptyQuery);
    const records = (await listDags(ctx.db.knex)).filter((d) => d.isActive);
    const importErrors = await listImportErrors(ctx.db.knex);
    return c.json({ dags: await dagsJson(ctx, records), importErrors });
  });

  addRoute(app, ctx, { method: 'get', path: '/api/v1/dags/:dagId', summary: 'A DAG with its graph (tasks), params schema and defaults', query: emptyQuery }, async (c) => {
    readQuery(c, emptyQuery);
    const record = await requireDag(ctx, param(c, 'dagId'));
    const structure = await latestStructure(ctx, record);
    const [dag] = await dagsJson(ctx, [record]);
    return c.json({ ...dag, tasks: taskNodesJson(structure), paramsSchema: orderedParamsSchema(structure.paramsSchema ?? null), paramsDefaults: structure.paramsDefaults ?? {} });
  });

  addRoute(app, ctx, { method: 'patch', path: '/api/v1/dags/:dagId', summary: 'Pause or unpause a DAG', body: patchDagBody }, async (c) => {
    const body = await readBody(c, patchDagBody);
    const record = await requireDag(ctx, param(c, 'dagId'));
    await setDagPaused(ctx.db.knex, record.dagId, body.paused);
    if (!body.paused) ctx.onRunsChanged();
    const [dag] = await dagsJson(ctx, [{ ...record, isPaused: body.paused }]);
    return c.json(dag);
  });

  addRoute(app, ctx, { method: 'get', path: '/api/v1/dags/:dagId/grid', summary: 'Grid: recent runs × tasks with states (mapped tasks summarised)', query: gridQuery }, async (c) => {
    const q = readQuery(c, gridQuery);
    const record = await requireDag(ctx, param(c, 'dagId'));
    const structure = await latestStructure(ctx, record);
    const runs = (await listRecentRuns(ctx.db.knex, [record.dagId], q.limit)).get(record.dagId) ?? [];
    runs.reverse();
    const counts = await countGridStates(ctx.db.knex, runs.map((r) => r.pk));
    const taskIds = structure.tasks.map((t) => t.id);
    const known = new Set(taskIds);
    for (const row of counts) {
      if (known.has(row.taskId)) continue;
      known.add(row.taskId);
      taskIds.push(row.taskId);
    }
    return c.json({
      runs: runs.map(runJson),
      tasks: taskIds.map((taskId) => ({ taskId, group: taskGroup(taskId) })),
      cells: buildGridCells(runs, counts),
    });
  });
}

/**
 * What a chaos phase left in the database, checked: runs by state, runs lost or created early, task
 * instances in an unexpected state, task instances whose successful attempt is not recorded exactly once,
 * and task bodies that completed twice (two ledger `end` rows) without a kill or a Postgres restart to
 * explain it.
 */
import pg from 'pg';
import { runHash } from './dags/chaos_mixed.mjs';

/** How long after its kill was logged a killed process's last INSERT may still commit. */
const KILL_IN_FLIGHT_MS = 2000;

/** Something the harness did to the system, for explaining duplicate ledger rows. */
export interface Disruption {
  kind: 'kill' | 'restart';
  /** Killed process id (kills only). */
  pid?: number;
  /** Wall time (ms since epoch, harness clock = database machine clock). */
  at: number;
}

/** The figures of one phase. */
export interface PhaseFigures {
  phase: string;
  runsExpected: number;
  runsCreated: number;
  runsByState: Record<string, number>;
  /** Runs that ended in a state other than the expected `success`. */
  runsFailedUnexpectedly: number;
  /** Expected runs never created, or not finished by the deadline. */
  lost: number;
  /** Runs created twice for one interval, or for an interval off the schedule. */
  duplicateRuns: number;
  /** Runs created before their data interval ended (database time). */
  prematureRuns: number;
  taskInstances: number;
  /** Task instances whose end state differs from what the run's hash says. */
  taskInstancesInWrongState: number;
  /** Task instances with a successful attempt count other than 1 (0 for ones not in success). */
  successCountNotOne: number;
  /** Successful attempts with no ledger `end` row for their try. */
  successWithoutLedgerEnd: number;
  attempts: number;
  attemptsByState: Record<string, number>;
  /** Attempt errors by state and message (numbers and ids folded), most frequent first. */
  attemptErrors: { state: string; error: string; count: number }[];
  ledgerDuplicates: { total: number; explainedByKill: number; explainedByRestart: number; unexplained: number };
  /** Up to 20 examples of each problem, for the findings. */
  examples: Record<string, unknown[]>;
}

/** Task ids of the chaos DAG and the state each ends in for a run (the mapped task is checked separately). */
function expectedStates(runId: string): Record<string, string> {
  const h = runHash(runId);
  const left = h % 2 === 0;
  return {
    extract: 'success',
    fan_a: 'success',
    fan_b: 'success',
    fan_c: 'success',
    flaky: 'success',
    total: 'success',
    decide: 'success',
    left: left ? 'success' : 'skipped',
    right: left ? 'skipped' : 'success',
    join: 'success',
    doomed: h % 10 === 0 ? 'failed' : 'success',
    finalize: 'success',
    square: 'success',
  };
}

/** Reads the store and the ledger of one phase's database and computes its figures. */
export async function collectFigures(
  url: string,
  phase: string,
  expected: { start: Date; runs: number },
  disruptions: readonly Disruption[],
): Promise<PhaseFigures> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const examples: Record<string, unknown[]> = {};
  const note = (key: string, value: unknown): void => {
    const list = (examples[key] ??= []);
    if (list.length < 20) list.push(value);
  };
  try {
    const runs = (
      await client.query<{ id: string; run_id: string; logical_date: Date; data_interval_end: Date; state: string; premature: boolean }>(
        `SELECT id, run_id, logical_date, data_interval_end, state, created_at < data_interval_end AS premature
         FROM sluice_dag_runs WHERE dag_id = 'chaos_mixed' ORDER BY logical_date`,
      )
    ).rows;
    const runsByState: Record<string, number> = {};
    const seen = new Map<number, number>();
    let duplicateRuns = 0;
    let prematureRuns = 0;
    let runsFailedUnexpectedly = 0;
    let unfinished = 0;
    const startMs = expected.start.getTime();
    for (const r of runs) {
      runsByState[r.state] = (runsByState[r.state] ?? 0) + 1;
      const k = (r.logical_date.getTime() - startMs) / 1000;
      if (!Number.isInteger(k) || k < 0 || k >= expected.runs || seen.has(k)) {
        duplicateRuns++;
        note('duplicateRuns', { runId: r.run_id });
      }
      seen.set(k, (seen.get(k) ?? 0) + 1);
      if (r.premature) {
        prematureRuns++;
        note('prematureRuns', { runId: r.run_id, dataIntervalEnd: r.data_interval_end });
      }
      if (r.state === 'failed') {
        runsFailedUnexpectedly++;
        note('runsFailed', { runId: r.run_id });
      }
      if (r.state !== 'success' && r.state !== 'failed') {
        unfinished++;
        note('unfinishedRuns', { runId: r.run_id, state: r.state });
      }
    }
    let missing = 0;
    for (let k = 0; k < expected.runs; k++) if (!seen.has(k)) missing++;

    const tis = (
      await client.query<{ run_id: string; task_id: string; map_index: number; state: string; try_number: number; successes: string }>(
        `SELECT r.run_id, ti.task_id, ti.map_index, ti.state, ti.try_number,
                (SELECT count(*) FROM sluice_attempts a WHERE a.run_pk = ti.run_pk AND a.task_id = ti.task_id
                   AND a.map_index = ti.map_index AND a.state = 'success') AS successes
         FROM sluice_task_instances ti JOIN sluice_dag_runs r ON r.id = ti.run_pk
         WHERE r.dag_id = 'chaos_mixed'`,
      )
    ).rows;
    let taskInstancesInWrongState = 0;
    let successCountNotOne = 0;
    const mapped = new Map<string, number>();
    const runState = new Map(runs.map((r) => [r.run_id, r.state]));
    for (const ti of tis) {
      const finished = runState.get(ti.run_id) === 'success' || runState.get(ti.run_id) === 'failed';
      if (ti.task_id === 'square' && ti.map_index === -1) continue; // the mapped task's placeholder
      if (ti.task_id === 'square') mapped.set(ti.run_id, (mapped.get(ti.run_id) ?? 0) + 1);
      const want = expectedStates(ti.run_id)[ti.task_id];
      if (finished && ti.state !== want) {
        taskInstancesInWrongState++;
        note('taskInstancesInWrongState', { runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index, state: ti.state, expected: want });
      }
      const successes = Number(ti.successes);
      if ((ti.state === 'success' && successes !== 1) || (ti.state !== 'success' && successes !== 0)) {
        successCountNotOne++;
        note('successCountNotOne', { runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index, state: ti.state, successes });
      }
    }
    for (const r of runs) {
      const want = 2 + (runHash(r.run_id) % 3);
      if (r.state === 'success' && mapped.get(r.run_id) !== want) {
        taskInstancesInWrongState++;
        note('mappedCount', { runId: r.run_id, mapped: mapped.get(r.run_id) ?? 0, expected: want });
      }
    }

    const attemptRows = (
      await client.query<{ state: string; n: string }>(
        `SELECT a.state, count(*) AS n FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk
         WHERE r.dag_id = 'chaos_mixed' GROUP BY a.state`,
      )
    ).rows;
    const attemptsByState = Object.fromEntries(attemptRows.map((a) => [a.state, Number(a.n)]));
    const errorRows = (
      await client.query<{ state: string; error: string; n: string }>(
        `SELECT a.state, left(regexp_replace(a.error, '[0-9a-f-]{36}|[0-9]+', '#', 'g'), 80) AS error, count(*) AS n
         FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk
         WHERE r.dag_id = 'chaos_mixed' AND a.error IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 15`,
      )
    ).rows;
    const attemptErrors = errorRows.map((e) => ({ state: e.state, error: e.error, count: Number(e.n) }));

    const ledger = await checkLedger(client, disruptions, note);
    return {
      phase,
      runsExpected: expected.runs,
      runsCreated: runs.length,
      runsByState,
      runsFailedUnexpectedly,
      lost: missing + unfinished,
      duplicateRuns,
      prematureRuns,
      taskInstances: tis.length,
      taskInstancesInWrongState,
      successCountNotOne,
      successWithoutLedgerEnd: ledger.successWithoutEnd,
      attempts: Object.values(attemptsByState).reduce((a, b) => a + b, 0),
      attemptsByState,
      attemptErrors,
      ledgerDuplicates: ledger.duplicates,
      examples,
    };
  } finally {
    await client.end();
  }
}

/**
 * Ledger checks. A second `end` row for a task instance is explained when the process that wrote it was
 * killed after it (or up to {@link KILL_IN_FLIGHT_MS} before it: the INSERT was in flight), or a Postgres
 * restart happened between 5 s before and 60 s after it (its success could not be recorded); every other
 * duplicate is a body that completed twice.
 */
async function checkLedger(
  client: pg.Client,
  disruptions: readonly Disruption[],
  note: (key: string, value: unknown) => void,
): Promise<{ successWithoutEnd: number; duplicates: PhaseFigures['ledgerDuplicates'] }> {
  const ends = (
    await client.query<{ run_id: string; task_id: string; map_index: number; try_number: number; pid: number; at: Date; recorded: boolean }>(
      `SELECT l.run_id, l.task_id, l.map_index, l.try_number, l.pid, l.at,
              EXISTS (SELECT 1 FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk
                      WHERE r.run_id = l.run_id AND r.dag_id = l.dag_id AND a.task_id = l.task_id AND a.map_index = l.map_index
                        AND a.try_number = l.try_number AND a.state = 'success') AS recorded
       FROM chaos_ledger l
       WHERE l.phase = 'end' AND (l.run_id, l.task_id, l.map_index) IN (
         SELECT run_id, task_id, map_index FROM chaos_ledger WHERE phase = 'end' GROUP BY 1, 2, 3 HAVING count(*) > 1)
       ORDER BY l.run_id, l.task_id, l.map_index, l.at`,
    )
  ).rows;
  const killedPids = new Map(disruptions.filter((d) => d.kind === 'kill').map((d) => [d.pid, d.at]));
  const restarts = disruptions.filter((d) => d.kind === 'restart').map((d) => d.at);
  const duplicates = { total: 0, explainedByKill: 0, explainedByRestart: 0, unexplained: 0 };
  const byTi = new Map<string, typeof ends>();
  for (const e of ends) {
    const key = `${e.run_id}|${e.task_id}|${e.map_index}`;
    byTi.set(key, [...(byTi.get(key) ?? []), e]);
  }
  for (const rows of byTi.values()) {
    // One `end` row per task instance is the record (its recorded try, else the last); each other one needs a reason.
    duplicates.total += rows.length - 1;
    const kept = rows.find((r) => r.recorded) ?? rows[rows.length - 1];
    for (const r of rows) {
      if (r === kept) continue;
      const killedAt = killedPids.get(r.pid);
      // The kill is logged just before SIGKILL; an INSERT sent before it may still commit a moment after.
      if (!r.recorded && killedAt !== undefined && r.at.getTime() <= killedAt + KILL_IN_FLIGHT_MS) duplicates.explainedByKill++;
      else if (!r.recorded && restarts.some((t) => t >= r.at.getTime() - 5000 && t <= r.at.getTime() + 60_000)) duplicates.explainedByRestart++;
      else {
        duplicates.unexplained++;
        note('ledgerUnexplained', {
          runId: r.run_id,
          taskId: r.task_id,
          mapIndex: r.map_index,
          tryNumber: r.try_number,
          pid: r.pid,
          at: r.at,
          recorded: r.recorded,
          pidKilledAt: killedAt === undefined ? null : new Date(killedAt),
        });
      }
    }
  }
  const missingEnds = (
    await client.query<{ run_id: string; task_id: string; map_index: number; try_number: number }>(
      `SELECT r.run_id, a.task_id, a.map_index, a.try_number FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk
       WHERE r.dag_id = 'chaos_mixed' AND a.state = 'success' AND NOT (a.task_id = 'square' AND a.map_index = -1)
         AND NOT EXISTS (SELECT 1 FROM chaos_ledger l WHERE l.phase = 'end' AND l.run_id = r.run_id AND l.task_id = a.task_id
                           AND l.map_index = a.map_index AND l.try_number = a.try_number)`,
    )
  ).rows;
  for (const m of missingEnds) note('successWithoutLedgerEnd', m);
  return { successWithoutEnd: missingEnds.length, duplicates };
}

/** The SQL that creates the ledger the chaos DAG writes to. */
export const LEDGER_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS chaos_ledger (
  id bigserial PRIMARY KEY,
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text NOT NULL,
  map_index integer NOT NULL,
  try_number integer NOT NULL,
  phase text NOT NULL CHECK (phase IN ('start', 'end')),
  pid integer NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS chaos_ledger_ti ON chaos_ledger (run_id, task_id, map_index, phase);
`;

/**
 * The chaos suite's DAG: fan-out, a mapped task, retries with a short delay, a branch, trigger rules other
 * than all_success (`none_failed_min_one_success`, `all_done`), and task bodies that sleep 0–N ms. Every body
 * writes a `start` and an `end` row into `chaos_ledger` (CHAOS_LEDGER_URL), so the report can tell a body
 * that completed twice from a retried one.
 *
 * What each run does is decided by a hash of its run id, so the report knows the expected end state of every
 * task instance: `flaky` fails its first try in a quarter of the runs, `doomed` fails for good in a tenth,
 * `decide` follows `left` or `right`. Every run is expected to succeed (its only leaf, `finalize`, is
 * `all_done`). The schedule is a 1 s interval from CHAOS_START to CHAOS_END with catchup.
 */
import pg from 'pg';
import { dag, FailNowError, type TaskContext } from '@sluice/core';

const start = process.env.CHAOS_START ?? '2026-01-01T00:00:00Z';
const end = process.env.CHAOS_END ?? '2026-01-01T00:01:00Z';
const maxSleepMs = Number(process.env.CHAOS_TASK_SLEEP_MS ?? 300);

let pool: pg.Pool | undefined;
function ledger(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool({ connectionString: process.env.CHAOS_LEDGER_URL, max: 4, connectionTimeoutMillis: 5000 });
    // An idle client cut by a Postgres restart must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
  }
  return pool;
}

/** FNV-1a of the run id: the run's fate, the same in every process. */
export function runHash(runId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) h = Math.imul(h ^ runId.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

async function record(ctx: TaskContext<unknown>, phase: 'start' | 'end'): Promise<void> {
  await ledger().query(
    'INSERT INTO chaos_ledger (dag_id, run_id, task_id, map_index, try_number, phase, pid) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [ctx.dagId, ctx.runId, ctx.taskId, ctx.mapIndex, ctx.tryNumber, phase, process.pid],
  );
}

function nap(signal: AbortSignal): Promise<void> {
  const ms = Math.floor(Math.random() * (maxSleepMs + 1));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/** Ledger `start`, a nap, the body, ledger `end`: a body that throws leaves no `end` row. */
async function body<T>(ctx: TaskContext<unknown>, work: () => T | Promise<T>): Promise<T> {
  await record(ctx, 'start');
  await nap(ctx.signal);
  const result = await work();
  await record(ctx, 'end');
  return result;
}

const d = dag({
  id: 'chaos_mixed',
  description: 'Chaos suite: fan-out, map, retries, branch, all_done / none_failed_min_one_success',
  schedule: { every: '1s' },
  start,
  end,
  catchup: true,
  maxActiveRuns: Number(process.env.CHAOS_MAX_ACTIVE_RUNS ?? 64),
  // Above what the workers can run: a killed worker's attempts count as running until they time out.
  maxActiveTasks: Number(process.env.CHAOS_MAX_ACTIVE_TASKS ?? 512),
  defaultTaskOptions: { retries: 4, retryDelay: '1s' },
});

const extract = d.task('extract', async (ctx) => body(ctx, () => Array.from({ length: 2 + (runHash(ctx.runId) % 3) }, (_, i) => i + 1)));

const fanA = d.task('fan_a', { upstream: [extract] }, async (ctx) => body(ctx, () => 'a'));
const fanB = d.task('fan_b', { upstream: [extract] }, async (ctx) => body(ctx, () => 'b'));
const fanC = d.task('fan_c', { upstream: [extract] }, async (ctx) => body(ctx, () => 'c'));

const square = d.map('square', extract, { maxActiveMapped: 4 }, async (ctx, n: number) => body(ctx, () => n * n));

const flaky = d.task('flaky', { upstream: [extract] }, async (ctx) =>
  body(ctx, () => {
    if (runHash(ctx.runId) % 4 === 0 && ctx.tryNumber === 1) throw new Error('flaky: first try fails on purpose');
    return ctx.tryNumber;
  }),
);

const total = d.task('total', { inputs: { squares: square }, upstream: [fanA, fanB, fanC, flaky] }, async (ctx, { squares }) =>
  body(ctx, () => squares.reduce((a, b) => a + b, 0)),
);

const decide = d.branch('decide', { upstream: [total] }, async (ctx) => body(ctx, () => (runHash(ctx.runId) % 2 === 0 ? 'left' : 'right')));
const left = d.task('left', { upstream: [decide] }, async (ctx) => body(ctx, () => 'left'));
const right = d.task('right', { upstream: [decide] }, async (ctx) => body(ctx, () => 'right'));
const join = d.task('join', { upstream: [left, right], triggerRule: 'none_failed_min_one_success' }, async (ctx) => body(ctx, () => 'joined'));

const doomed = d.task('doomed', { upstream: [extract] }, async (ctx) =>
  body(ctx, () => {
    if (runHash(ctx.runId) % 10 === 0) throw new FailNowError('doomed: fails for good on purpose');
    return 'spared';
  }),
);

d.task('finalize', { upstream: [join, doomed], triggerRule: 'all_done' }, async (ctx) => body(ctx, () => 'done'));

export default d;

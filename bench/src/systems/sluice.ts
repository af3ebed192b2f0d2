/**
 * Sluice through its public API: a Postgres store, DAGs defined in code, a Scheduler with the real clock and
 * its in-process executor, runs started with triggerDagRun.
 */
import {
  chain,
  dag,
  EnvironmentSecretsBackend,
  migrate,
  openDatabase,
  Scheduler,
  SecretsResolver,
  StaticDagRegistry,
  triggerDagRun,
  type Dag,
  type Database,
  type TaskRef,
} from '@sluice/core';
import { recreateDatabase } from '../db.js';
import {
  CONCURRENCY,
  HandlerTracker,
  expectedCompletions,
  nowMs,
  pollUntil,
  sampleResult,
  untilDeadline,
  type BenchSystem,
  type SampleResult,
  type WorkloadName,
  type WorkloadSizes,
} from '../workloads.js';

const DB_NAME = 'sluice_bench_sluice';
/** The default pool has 128 slots; DAGs may keep that many queued or running. */
const MAX_ACTIVE_TASKS = 128;
const LOOP_INTERVAL_MS = 10;
/** Connections in Sluice's pool: the same budget as the peers (concurrency + 2). */
const POOL_MAX = CONCURRENCY + 2;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Zero-padded task ids keep chain order readable and sortable. */
export function chainTaskId(i: number): string {
  return `t${String(i).padStart(5, '0')}`;
}

/** The DAGs of one workload; every task body is a tracked no-op. */
export function buildWorkloadDags(workload: WorkloadName, s: WorkloadSizes, tracker: HandlerTracker): Dag<unknown>[] {
  const noop = async (): Promise<void> => {
    await tracker.track();
  };
  const opts = { maxActiveTasks: MAX_ACTIVE_TASKS, maxActiveRuns: 16 };
  switch (workload) {
    case 'independent': {
      // The root is bookkeeping (it produces the list to map over) and is not tracked.
      const d = dag({ id: 'bench_independent', ...opts });
      const items = d.task('items', async () => range(s.independent));
      d.map('noop', items, {}, noop);
      return [d as Dag<unknown>];
    }
    case 'fanout': {
      const d = dag({ id: 'bench_fanout', ...opts });
      const root = d.task('root', async () => (await tracker.track(() => range(s.fanout))) ?? []);
      const mapped = d.map('fan', root, {}, noop);
      const sink = d.task('sink', noop);
      chain(mapped, sink);
      return [d as Dag<unknown>];
    }
    case 'chain': {
      const d = dag({ id: 'bench_chain', ...opts });
      const refs: TaskRef[] = range(s.chain).map((i) => d.task(chainTaskId(i), noop));
      chain(...refs);
      return [d as Dag<unknown>];
    }
    case 'dags':
      return range(s.dags).map((k) => {
        const d = dag({ id: `bench_dag_${String(k).padStart(4, '0')}`, ...opts });
        const root = d.task('root', noop);
        const middle = range(s.dagTasks - 2).map((i) => d.task(`mid_${i}`, noop));
        const sink = d.task('sink', noop);
        chain(root, middle, sink);
        return d as Dag<unknown>;
      });
  }
}

/** A scheduler over `dags` with the real clock and an in-process executor. */
export function makeScheduler(db: Database, dags: Dag<unknown>[], extra: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}): Scheduler {
  const secrets = new SecretsResolver([new EnvironmentSecretsBackend({})], { ttlMs: 0 });
  return new Scheduler({
    knex: db.knex,
    registry: new StaticDagRegistry(dags),
    getConnection: (id) => secrets.getConnection(id),
    getVariable: (key) => secrets.getVariable(key),
    concurrency: CONCURRENCY,
    loopIntervalMs: LOOP_INTERVAL_MS,
    ...extra,
  });
}

/** Opens and migrates a fresh Sluice store in database `name`. */
export async function freshStore(name = DB_NAME): Promise<Database> {
  const url = await recreateDatabase(name);
  const db = await openDatabase({ url, poolMax: Number(process.env.BENCH_SLUICE_POOL ?? POOL_MAX) });
  await migrate(db);
  return db;
}

/** Hops of the chain from the store: downstream attempt start minus upstream attempt end. */
async function storeHops(db: Database, n: number): Promise<number[]> {
  const res = (await db.knex.raw(
    `SELECT a.task_id, (extract(epoch FROM a.started_at) * 1000)::float8 AS s, (extract(epoch FROM a.ended_at) * 1000)::float8 AS e
       FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk WHERE r.dag_id = 'bench_chain' AND a.state = 'success'`,
  )) as { rows: { task_id: string; s: number; e: number }[] };
  const byId = new Map(res.rows.map((r) => [r.task_id, r]));
  const hops: number[] = [];
  for (let i = 1; i < n; i++) {
    const up = byId.get(chainTaskId(i - 1));
    const down = byId.get(chainTaskId(i));
    if (up && down) hops.push(Number(down.s) - Number(up.e));
  }
  return hops;
}

async function runsState(db: Database): Promise<{ done: boolean; failed: number }> {
  const res = (await db.knex.raw(
    `SELECT count(*) FILTER (WHERE state NOT IN ('success', 'failed'))::int AS open, count(*) FILTER (WHERE state = 'failed')::int AS failed FROM sluice_dag_runs`,
  )) as { rows: { open: number; failed: number }[] };
  const row = res.rows[0] ?? { open: 1, failed: 0 };
  return { done: row.open === 0, failed: row.failed };
}

export const sluiceSystem: BenchSystem = {
  id: 'sluice',
  config: `Scheduler + in-process LocalExecutor, concurrency ${CONCURRENCY}, loopIntervalMs ${LOOP_INTERVAL_MS}, DAG maxActiveTasks ${MAX_ACTIVE_TASKS} (default pool: 128 slots), ${POOL_MAX} pooled connections`,
  mapping: {
    independent: 'one DAG: a root task returns [0..N) and a mapped task runs one no-op instance per element (the root is not counted)',
    fanout: 'one DAG: root → mapped task (N instances) → sink',
    chain: 'one DAG of N tasks linked with chain()',
    dags: 'K DAGs, each root → (T−2) parallel tasks → sink, all triggered at once',
  },
  async unavailableReason() {
    return undefined;
  },
  async runSample(workload, sizes, deadline): Promise<SampleResult> {
    const db = await freshStore();
    const tracker = new HandlerTracker();
    const dags = buildWorkloadDags(workload, sizes, tracker);
    const scheduler = makeScheduler(db, dags);
    try {
      scheduler.start();
      const t0 = nowMs();
      await Promise.all(dags.map((d) => triggerDagRun(db.knex, d, {}, new Date())));
      scheduler.wake();
      await untilDeadline(tracker.whenCount(expectedCompletions(workload, sizes)), deadline, tracker, `sluice ${workload}`);
      let failed = 0;
      await pollUntil(
        async () => {
          const state = await runsState(db);
          failed = state.failed;
          return state.done;
        },
        deadline,
        tracker,
        `sluice ${workload}`,
      );
      const result = sampleResult(t0, tracker);
      if (failed > 0) throw new Error(`sluice ${workload}: ${failed} run(s) failed`);
      if (workload === 'chain') {
        result.hopsMs = await storeHops(db, sizes.chain);
        result.handlerHopsMs = tracker.sequentialHops();
      }
      return result;
    } finally {
      await scheduler.stop(2_000);
      await db.close();
    }
  },
};

/**
 * graphile-worker, twice: its documented batched configuration (worker.graphile.org/docs/performance:
 * concurrentJobs 24, maxPoolSize 25, localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0)
 * and its default (no local queue, no batched completion) with the same concurrency as Sluice.
 * It has no DAGs: dependencies are written by hand in the handlers, as a user would.
 */
import { makeWorkerUtils, run, type JobHelpers, type Runner, type TaskList, type Logger as GwLogger } from 'graphile-worker';
import { Logger } from 'graphile-worker';
import { queryOnce, recreateDatabase } from '../db.js';
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

const silent: GwLogger = new Logger(() => () => undefined);

/** Decrements a fan-in counter; the call that reaches zero enqueues the sink (same transaction). */
async function arriveAtJoin(helpers: JobHelpers, join: string, sink: { task: string; payload: object }): Promise<void> {
  await helpers.withPgClient(async (client) => {
    await client.query('BEGIN');
    try {
      const res = await client.query<{ remaining: number }>('UPDATE bench_joins SET remaining = remaining - 1 WHERE id = $1 RETURNING remaining', [join]);
      if (res.rows[0]?.remaining === 0) {
        await client.query('SELECT graphile_worker.add_job($1, $2::json)', [sink.task, JSON.stringify(sink.payload)]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

function makeTaskList(workload: WorkloadName, s: WorkloadSizes, tracker: HandlerTracker): TaskList {
  switch (workload) {
    case 'independent':
      return { noop: async () => void (await tracker.track()) };
    case 'fanout':
      return {
        root: async (_p, helpers) => {
          await tracker.track(() => helpers.addJobs(Array.from({ length: s.fanout }, () => ({ identifier: 'fan', payload: {} }))));
        },
        fan: async (_p, helpers) => {
          await tracker.track(() => arriveAtJoin(helpers, 'fanout', { task: 'sink', payload: {} }));
        },
        sink: async () => void (await tracker.track()),
      };
    case 'chain':
      return {
        hop: async (payload, helpers) => {
          const i = (payload as { i: number }).i;
          await tracker.track(async () => {
            if (i + 1 < s.chain) await helpers.addJob('hop', { i: i + 1 });
          });
        },
      };
    case 'dags':
      return {
        root: async (payload, helpers) => {
          const dagNo = (payload as { dag: number }).dag;
          await tracker.track(() => helpers.addJobs(Array.from({ length: s.dagTasks - 2 }, () => ({ identifier: 'mid', payload: { dag: dagNo } }))));
        },
        mid: async (payload, helpers) => {
          const dagNo = (payload as { dag: number }).dag;
          await tracker.track(() => arriveAtJoin(helpers, `dag_${dagNo}`, { task: 'sink', payload: { dag: dagNo } }));
        },
        sink: async () => void (await tracker.track()),
      };
  }
}

async function seedJoins(url: string, workload: WorkloadName, s: WorkloadSizes): Promise<void> {
  await queryOnce(url, 'CREATE TABLE bench_joins (id text PRIMARY KEY, remaining int NOT NULL)');
  if (workload === 'fanout') await queryOnce(url, `INSERT INTO bench_joins VALUES ('fanout', $1)`, [s.fanout]);
  if (workload === 'dags') {
    await queryOnce(url, `INSERT INTO bench_joins SELECT 'dag_' || g, $2 FROM generate_series(0, $1 - 1) g`, [s.dags, s.dagTasks - 2]);
  }
}

function graphileSystem(batched: boolean): BenchSystem {
  const dbName = batched ? 'sluice_bench_gw_batched' : 'sluice_bench_gw_default';
  const concurrency = batched ? 24 : CONCURRENCY;
  return {
    id: batched ? 'graphile-worker-batched' : 'graphile-worker',
    config: batched
      ? 'documented batched preset: concurrentJobs 24, maxPoolSize 25, localQueue { size: 500 }, completeJobBatchDelay 0, failJobBatchDelay 0'
      : `defaults (no local queue, no completion batching), concurrency ${CONCURRENCY}, maxPoolSize ${CONCURRENCY + 1}`,
    mapping: {
      independent: 'N jobs added with one addJobs() call',
      fanout: 'root job addJobs() N jobs; each decrements a counter row in a transaction and the one reaching 0 adds the sink job',
      chain: 'each job adds the next one (helpers.addJob) before returning',
      dags: 'K root jobs; each root adds T−2 jobs; fan-in via a per-DAG counter row as in fan-out',
    },
    async unavailableReason() {
      return undefined;
    },
    async runSample(workload, sizes, deadline): Promise<SampleResult> {
      const url = await recreateDatabase(dbName);
      await seedJoins(url, workload, sizes);
      const tracker = new HandlerTracker();
      const preset = batched ? { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } : undefined;
      const runner: Runner = await run({
        connectionString: url,
        concurrency,
        maxPoolSize: concurrency + 1,
        noHandleSignals: true,
        pollInterval: 2000,
        logger: silent,
        taskList: makeTaskList(workload, sizes, tracker),
        ...(preset ? { preset } : {}),
      });
      const utils = await makeWorkerUtils({ connectionString: url, logger: silent });
      try {
        const t0 = nowMs();
        if (workload === 'independent') await utils.addJobs(Array.from({ length: sizes.independent }, () => ({ identifier: 'noop', payload: {} })));
        if (workload === 'fanout') await utils.addJob('root', {});
        if (workload === 'chain') await utils.addJob('hop', { i: 0 });
        if (workload === 'dags') await utils.addJobs(Array.from({ length: sizes.dags }, (_, k) => ({ identifier: 'root', payload: { dag: k } })));
        await untilDeadline(tracker.whenCount(expectedCompletions(workload, sizes)), deadline, tracker, `${this.id} ${workload}`);
        // Done when the completions are committed: graphile-worker deletes completed jobs.
        await pollUntil(
          async () => (await utils.withPgClient((c) => c.query('SELECT 1 FROM graphile_worker._private_jobs LIMIT 1'))).rowCount === 0,
          deadline,
          tracker,
          `${this.id} ${workload}`,
        );
        const result = sampleResult(t0, tracker);
        if (workload === 'chain') result.hopsMs = tracker.sequentialHops();
        return result;
      } finally {
        await utils.release();
        await runner.stop();
      }
    },
  };
}

export const graphileWorkerBatched = graphileSystem(true);
export const graphileWorkerDefault = graphileSystem(false);

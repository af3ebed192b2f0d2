/**
 * pg-boss 12: plain jobs for independent tasks (one insert() call), flow() (jobs with dependsOn) for the
 * DAG workloads. LISTEN/NOTIFY on, queues with notify, the smallest allowed polling interval (0.5 s) and
 * flow-resolution interval (1 s): pg-boss unblocks flow dependents in a background pass, not on completion,
 * so every dependency hop waits for that pass (about 1 s).
 */
import { PgBoss, type FlowJob } from 'pg-boss';
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

const DB_NAME = 'sluice_bench_pgboss';
const QUEUE = 'bench';
/**
 * 4 fetch loops × batches of 8 = 32 jobs in flight, like the other systems. burstWhenBatchFull re-fetches at
 * once while batches come back full (without it a loop waits a polling interval after every batch);
 * notifyPollingIntervalSeconds 0.5 because flow dependents are unblocked by the background resolver, which
 * sends no NOTIFY, so they would otherwise wait for the 30 s notify-mode poll.
 */
const WORK_OPTIONS = { localConcurrency: 4, batchSize: 8, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, burstWhenBatchFull: true };

/** The flows (one per DAG) of a dependency workload. */
function flows(workload: WorkloadName, s: WorkloadSizes): FlowJob[][] {
  const job = (ref: string, dependsOn?: string[]): FlowJob => ({ ref, name: QUEUE, data: {}, ...(dependsOn ? { dependsOn } : {}) });
  switch (workload) {
    case 'independent':
      return [];
    case 'fanout': {
      const mids = Array.from({ length: s.fanout }, (_, i) => `fan_${i}`);
      return [[job('root'), ...mids.map((m) => job(m, ['root'])), job('sink', mids)]];
    }
    case 'chain':
      return [Array.from({ length: s.chain }, (_, i) => job(`hop_${i}`, i === 0 ? undefined : [`hop_${i - 1}`]))];
    case 'dags':
      return Array.from({ length: s.dags }, () => {
        const mids = Array.from({ length: s.dagTasks - 2 }, (_, i) => `mid_${i}`);
        return [job('root'), ...mids.map((m) => job(m, ['root'])), job('sink', mids)];
      });
  }
}

export const pgBossSystem: BenchSystem = {
  id: 'pg-boss',
  config: `useListenNotify, queue notify, work(${JSON.stringify(WORK_OPTIONS)}) = ${WORK_OPTIONS.localConcurrency * WORK_OPTIONS.batchSize} jobs in flight, flowIntervalSeconds 1 (the minimum), pool max ${CONCURRENCY + 2}`,
  mapping: {
    independent: 'N jobs sent with one insert() call',
    fanout: 'one flow(): root, N jobs dependsOn root, sink dependsOn all N',
    chain: 'one flow() of N jobs, each dependsOn the previous',
    dags: 'K flow() calls at once, each root → T−2 jobs → sink',
  },
  async unavailableReason() {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    if (major < 22 || (major === 22 && minor < 12)) return `pg-boss 12 needs Node >= 22.12 (running ${process.versions.node})`;
    return undefined;
  },
  async runSample(workload, sizes, deadline): Promise<SampleResult> {
    const url = await recreateDatabase(DB_NAME);
    const tracker = new HandlerTracker();
    const boss = new PgBoss({ connectionString: url, max: CONCURRENCY + 2, useListenNotify: true, flowIntervalSeconds: 1 });
    let lastError: unknown;
    boss.on('error', (error: unknown) => {
      lastError = error;
    });
    await boss.start();
    try {
      await boss.createQueue(QUEUE, { notify: true });
      await boss.work(QUEUE, WORK_OPTIONS, async (jobs) => {
        for (let i = 0; i < jobs.length; i++) await tracker.track();
      });
      const t0 = nowMs();
      if (workload === 'independent') await boss.insert(QUEUE, Array.from({ length: sizes.independent }, () => ({ data: {} })));
      else await Promise.all(flows(workload, sizes).map((f) => boss.flow(f)));
      await untilDeadline(tracker.whenCount(expectedCompletions(workload, sizes)), deadline, tracker, `pg-boss ${workload}`);
      const db = boss.getDb();
      await pollUntil(
        async () => {
          const res = (await db.executeSql(`SELECT 1 FROM pgboss.job WHERE state < 'completed' LIMIT 1`, [])) as { rows: unknown[] };
          return res.rows.length === 0;
        },
        deadline,
        tracker,
        `pg-boss ${workload}`,
      );
      const result = sampleResult(t0, tracker);
      if (workload === 'chain') result.hopsMs = tracker.sequentialHops();
      if (lastError) result.extra = { lastError: String(lastError) };
      return result;
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  },
};

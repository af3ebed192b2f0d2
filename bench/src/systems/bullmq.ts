/**
 * BullMQ 6, on Redis (its default backend) and on its PostgreSQL backend (createPostgresBackend, new in 6.x).
 * Independent tasks: addBulk(). Dependencies: FlowProducer trees (a parent runs after all its children).
 * A tree cannot share a node between branches, so a 1 → N → 1 shape is a root job whose handler adds the
 * tree "sink ← N children"; a chain is a tree N levels deep.
 */
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { createPostgresBackend, FlowProducer, Queue, Worker, withBackend, type FlowJob } from 'bullmq';
import { recreateDatabase, REDIS } from '../db.js';
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

interface QueueLike {
  addBulk(jobs: { name: string; data: unknown }[]): Promise<unknown>;
  add(name: string, data: unknown): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  obliterate(opts?: { force?: boolean }): Promise<void>;
  close(): Promise<void>;
}
interface WorkerLike {
  on(event: 'error', fn: (error: Error) => void): unknown;
  close(): Promise<void>;
}
interface FlowProducerLike {
  add(flow: FlowJob): Promise<unknown>;
  close(): Promise<void>;
}
interface Backend {
  queue(name: string): QueueLike;
  worker(name: string, fn: (job: { name: string; data: unknown }) => Promise<void>): WorkerLike;
  flows(): FlowProducerLike;
}

/** BullMQ's Redis backend needs its optional peer `ioredis` (or a caller-built client). */
function ioredisMissing(): string | undefined {
  try {
    const fromBullmq = createRequire(createRequire(import.meta.url).resolve('bullmq'));
    fromBullmq.resolve('ioredis');
    return undefined;
  } catch {
    return "BullMQ 6's Redis backend needs the optional package 'ioredis', which is not installed in bench/ (add it to bench's dependencies to measure BullMQ on Redis)";
  }
}

/** Sends PING to Redis; resolves to an error message or undefined. */
export function pingRedis(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(REDIS.port, REDIS.host);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no answer from Redis at ${REDIS.host}:${REDIS.port}`);
    }, 2000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(d.toString().startsWith('+PONG') ? undefined : `unexpected Redis reply ${d.toString().trim()}`);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      resolve(`Redis at ${REDIS.host}:${REDIS.port} unavailable: ${e.message}`);
    });
  });
}

function redisBackend(): Backend {
  const connection = { host: REDIS.host, port: REDIS.port, maxRetriesPerRequest: null };
  return {
    queue: (name) => new Queue(name, { connection }) as unknown as QueueLike,
    worker: (name, fn) => new Worker(name, fn, { connection, concurrency: CONCURRENCY }) as unknown as WorkerLike,
    flows: () => new FlowProducer({ connection }) as unknown as FlowProducerLike,
  };
}

function postgresBackend(url: string): Backend {
  const pgClasses = withBackend(createPostgresBackend);
  const connection = { connectionString: url, migrate: true, max: CONCURRENCY + 2 };
  return {
    queue: (name) => new pgClasses.Queue(name, { connection }) as unknown as QueueLike,
    worker: (name, fn) => new pgClasses.Worker(name, fn, { connection, concurrency: CONCURRENCY }) as unknown as WorkerLike,
    flows: () => new pgClasses.FlowProducer({ connection }) as unknown as FlowProducerLike,
  };
}

/** The tree "sink ← n leaves", all in queue `q`. */
function fanInTree(q: string, n: number, data: unknown): FlowJob {
  return { name: 'sink', queueName: q, data, children: Array.from({ length: n }, () => ({ name: 'fan', queueName: q, data })) };
}

/** A chain of n jobs as a tree n levels deep (the deepest child runs first). */
function chainTree(q: string, n: number): FlowJob {
  let node: FlowJob = { name: 'hop', queueName: q, data: { i: 0 } };
  for (let i = 1; i < n; i++) node = { name: 'hop', queueName: q, data: { i }, children: [node] };
  return node;
}

async function start(workload: WorkloadName, s: WorkloadSizes, q: string, queue: QueueLike, flows: FlowProducerLike): Promise<void> {
  switch (workload) {
    case 'independent':
      await queue.addBulk(Array.from({ length: s.independent }, () => ({ name: 'noop', data: {} })));
      return;
    case 'fanout':
      await queue.add('root', {});
      return;
    case 'chain':
      await flows.add(chainTree(q, s.chain));
      return;
    case 'dags':
      await queue.addBulk(Array.from({ length: s.dags }, (_, k) => ({ name: 'root', data: { dag: k } })));
      return;
  }
}

let sampleNo = 0;

function bullmqSystem(kind: 'redis' | 'postgres'): BenchSystem {
  return {
    id: kind === 'redis' ? 'bullmq' : 'bullmq-postgres',
    config:
      kind === 'redis'
        ? `Redis ${REDIS.host}:${REDIS.port}, Worker concurrency ${CONCURRENCY}, default job options (completed jobs kept)`
        : `createPostgresBackend (migrate on connect), pool max ${CONCURRENCY + 2} per client, Worker concurrency ${CONCURRENCY}`,
    mapping: {
      independent: 'N jobs added with one addBulk() call',
      fanout: 'root job; its handler adds a FlowProducer tree: sink parent with N children',
      chain: 'one FlowProducer tree N levels deep (each parent runs after its only child)',
      dags: 'K root jobs added with addBulk(); each root handler adds a tree: sink parent with T−2 children',
    },
    async unavailableReason() {
      return kind === 'redis' ? (ioredisMissing() ?? (await pingRedis())) : undefined;
    },
    async runSample(workload, sizes, deadline): Promise<SampleResult> {
      const q = `bench_${process.pid}_${++sampleNo}`;
      const backend = kind === 'redis' ? redisBackend() : postgresBackend(await recreateDatabase('sluice_bench_bullmq'));
      const tracker = new HandlerTracker();
      const queue = backend.queue(q);
      const flows = backend.flows();
      const worker = backend.worker(q, async (job) => {
        await tracker.track(async () => {
          if (job.name === 'root' && workload === 'fanout') await flows.add(fanInTree(q, sizes.fanout, {}));
          if (job.name === 'root' && workload === 'dags') await flows.add(fanInTree(q, sizes.dagTasks - 2, job.data));
        });
      });
      let workerError: Error | undefined;
      worker.on('error', (e) => {
        workerError = e;
      });
      try {
        const t0 = nowMs();
        await start(workload, sizes, q, queue, flows);
        await untilDeadline(tracker.whenCount(expectedCompletions(workload, sizes)), deadline, tracker, `${this.id} ${workload}`);
        await pollUntil(
          async () => {
            const c = await queue.getJobCounts('active', 'waiting', 'delayed', 'waiting-children', 'prioritized');
            return Object.values(c).every((v) => v === 0);
          },
          deadline,
          tracker,
          `${this.id} ${workload}`,
        );
        const result = sampleResult(t0, tracker);
        if (workload === 'chain') result.hopsMs = tracker.sequentialHops();
        if (workerError) result.extra = { workerError: workerError.message };
        return result;
      } finally {
        await worker.close();
        await flows.close();
        if (kind === 'redis') await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      }
    },
  };
}

export const bullmqRedis = bullmqSystem('redis');
export const bullmqPostgres = bullmqSystem('postgres');

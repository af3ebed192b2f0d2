import { hostname } from 'node:os';
import type { Knex } from 'knex';
import { DatabaseClock, systemClock, type Clock } from '../clock.js';
import type { Connection } from '../connections/types.js';
import { SecretRedactor, registerSecretValues } from '../connections/redact.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../executor/outputs.js';
import { LocalExecutor } from '../executor/local-executor.js';
import type { AttemptReport } from '../executor/run-attempt.js';
import type { Logger } from '../logger.js';
import type { DagRegistry, VersionCache } from '../scheduler/dag-registry.js';
import { databaseNow } from '../store/database.js';
import { HeartbeatThread } from './heartbeat-thread.js';

/** Where a heartbeat thread connects (Postgres only). */
export interface HeartbeatConnection {
  /** Postgres URL (the pooler's is fine). Holds the password: never logged. */
  url: string;
  schema?: string | undefined;
}

/** The options a scheduler and a worker share: the store, DAG code, secrets, clocks and task execution. */
export interface TaskProcessOptions {
  knex: Knex;
  /** DAG code (task bodies run in this process). */
  registry: DagRegistry;
  /** Resolves connections and variables for tasks (the secrets chain). */
  getConnection: (id: string) => Promise<Connection>;
  getVariable: (key: string) => Promise<string | undefined>;
  /** Fixed clock (tests). Default: database time (sampled `clock_timestamp()`) over `localClock`. */
  clock?: Clock;
  /** The local clock database time is derived from (default the system clock). Ignored with `clock`. */
  localClock?: Clock;
  logger?: Logger;
  /** Queues served. Default `['default']`. */
  queues?: readonly string[];
  /** Minimum time between DAG folder scans. Default 2000 ms. */
  scanIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** Heartbeat attempts from a thread with its own connection (Postgres), so busy tasks are not declared dead. */
  heartbeatConnection?: HeartbeatConnection;
  /** Direct Postgres URL to LISTEN for wake-ups on; without it the process only polls. */
  listenUrl?: string;
  maxOutputBytes?: number;
  redactor?: SecretRedactor;
  /** Folder the DAG files (and `dag.file` paths) are in. */
  dagsDir?: string;
}

/** What both the scheduler's executor and a worker's need to run attempts. */
export interface ExecutionSetup {
  knex: Knex;
  registry: DagRegistry;
  versions: VersionCache;
  getConnection: (id: string) => Promise<Connection>;
  getVariable: (key: string) => Promise<string | undefined>;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  queues: readonly string[];
  processId: string;
  processKind: 'scheduler' | 'worker';
  heartbeatIntervalMs?: number | undefined;
  /** Send heartbeats from a thread with its own connection (see {@link HeartbeatThread}). */
  heartbeatConnection?: HeartbeatConnection | undefined;
  maxOutputBytes?: number | undefined;
  redactor?: SecretRedactor | undefined;
  dagsDir?: string | undefined;
  onAttemptFinished: (report: AttemptReport) => void;
}

/**
 * The clock a long-running process schedules with: `clock` when given (tests), else the database's time
 * sampled over `localClock` (default the system clock), so processes on machines with skewed clocks agree.
 */
export function chooseClock(knex: Knex, clock: Clock | undefined, localClock: Clock | undefined): Clock {
  return clock ?? new DatabaseClock(() => databaseNow(knex), localClock ?? systemClock);
}

/**
 * Builds a {@link LocalExecutor} (and, with `heartbeatConnection`, the heartbeat thread it reports to). Every
 * secret a task resolves is registered with the redactor, so it is scrubbed from logs and errors from then on.
 */
export function createExecution(o: ExecutionSetup): { executor: LocalExecutor; heartbeatThread: HeartbeatThread | undefined } {
  const redactor = o.redactor ?? new SecretRedactor();
  const getConnection = async (id: string): Promise<Connection> => {
    const connection = await o.getConnection(id);
    registerSecretValues(redactor, connection);
    return connection;
  };
  const intervalMs = o.heartbeatIntervalMs ?? 5000;
  const heartbeatThread = o.heartbeatConnection
    ? new HeartbeatThread({
        url: o.heartbeatConnection.url,
        schema: o.heartbeatConnection.schema,
        intervalMs,
        logger: o.logger,
        ...(o.processKind === 'worker' ? { processRow: { id: o.processId, kind: 'worker' as const, hostname: hostname(), pid: process.pid } } : {}),
      })
    : undefined;
  const executor = new LocalExecutor({
    env: {
      knex: o.knex,
      logger: o.logger,
      now: () => o.clock.now(),
      getDag: (id) => o.registry.get(id),
      getStructure: (dagId, hash) => o.versions.get(dagId, hash),
      getConnection,
      getVariable: o.getVariable,
      maxOutputBytes: o.maxOutputBytes ?? (Number(process.env.SLUICE_MAX_OUTPUT_BYTES) || DEFAULT_MAX_OUTPUT_BYTES),
      redactor,
      dagsDir: o.dagsDir,
    },
    concurrency: o.concurrency,
    queues: o.queues,
    workerId: o.processId,
    hostname: hostname(),
    heartbeatIntervalMs: intervalMs,
    ...(heartbeatThread ? { heartbeats: heartbeatThread } : {}),
    onAttemptFinished: o.onAttemptFinished,
  });
  return { executor, heartbeatThread };
}

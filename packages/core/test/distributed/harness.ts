import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import type { Knex } from 'knex';
import type { Dag } from '../../src/authoring/dag.js';
import { EnvironmentSecretsBackend } from '../../src/connections/env-backend.js';
import { SecretsResolver } from '../../src/connections/resolver.js';
import { SecretRedactor } from '../../src/connections/redact.js';
import { MemoryLogger } from '../../src/logger.js';
import { StaticDagRegistry } from '../../src/scheduler/dag-registry.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { rowsOf } from '../../src/store/rows.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import { Worker, type WorkerOptions } from '../../src/worker/worker.js';

/** A separate pool on the test database: one simulated process. */
export function openProcessDb(url: string | undefined, poolMax = 4): Promise<Database> {
  if (!url) throw new Error('distributed tests need Postgres (a url)');
  return openDatabase({ url, poolMax });
}

/** A worker over a fixed set of DAGs with an in-memory logger. */
export function makeWorker(knex: Knex, dags: Dag<unknown>[], extra: Partial<WorkerOptions> = {}): Worker {
  const secrets = new SecretsResolver([new EnvironmentSecretsBackend({})], { ttlMs: 0 });
  return new Worker({
    knex,
    registry: new StaticDagRegistry(dags),
    getConnection: (id) => secrets.getConnection(id),
    getVariable: (key) => secrets.getVariable(key),
    logger: new MemoryLogger(),
    concurrency: 4,
    pollIntervalMs: 50,
    redactor: new SecretRedactor(),
    ...extra,
  });
}

/** A scheduler on database time derived from `localClock` (no fixed clock), like a real process. */
export function makeDbTimeScheduler(knex: Knex, dags: Dag<unknown>[], localClock: SchedulerOptions['localClock'], extra: Partial<SchedulerOptions> = {}): Scheduler {
  const secrets = new SecretsResolver([new EnvironmentSecretsBackend({})], { ttlMs: 0 });
  return new Scheduler({
    knex,
    registry: new StaticDagRegistry(dags),
    getConnection: (id) => secrets.getConnection(id),
    getVariable: (key) => secrets.getVariable(key),
    ...(localClock ? { localClock } : {}),
    logger: new MemoryLogger(),
    redactor: new SecretRedactor(),
    ...extra,
  });
}

/** Polls `check` every 50 ms until it holds (bounded by the test timeout). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Number of runs of `dagId` in `state`. */
export async function countRuns(knex: Knex, dagId: string, state: string): Promise<number> {
  return Number(rowsOf(await knex.raw(`SELECT count(*) AS n FROM sluice_dag_runs WHERE dag_id = ? AND state = ?`, [dagId, state]))[0]?.n);
}

/** Tracks how many task bodies run at once (all simulated processes share this vitest process). */
export class ConcurrencyProbe {
  active = 0;
  max = 0;
  readonly executions = new Map<string, number>();
  async run(key: string, ms: number): Promise<void> {
    this.executions.set(key, (this.executions.get(key) ?? 0) + 1);
    this.active++;
    this.max = Math.max(this.max, this.active);
    try {
      await new Promise((r) => setTimeout(r, ms));
    } finally {
      this.active--;
    }
  }
}

/** A test file's Postgres database and the pools of its simulated processes (see {@link useProcessDatabases}). */
export interface ProcessDatabases {
  /** The file's database (created in `beforeAll`). */
  readonly test: TestDatabase;
  /** A new pool on it, one per simulated process; closed after each test. */
  open(poolMax?: number): Promise<Database>;
}

/** Registers the hooks: a fresh Postgres database for the file, every opened pool closed after each test. */
export function useProcessDatabases(): ProcessDatabases {
  let test: TestDatabase | undefined;
  const pools: Database[] = [];
  beforeAll(async () => {
    test = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await test?.drop();
  });
  const current = (): TestDatabase => {
    if (!test) throw new Error('the test database exists only inside hooks and tests');
    return test;
  };
  return {
    get test(): TestDatabase {
      return current();
    },
    async open(poolMax?: number): Promise<Database> {
      const db = await openProcessDb(current().url, poolMax);
      pools.push(db);
      return db;
    },
  };
}

import type { Dag } from '../authoring/dag.js';
import type { Connection, SecretsBackend } from '../connections/types.js';
import { EnvironmentSecretsBackend } from '../connections/env-backend.js';
import { SecretsResolver } from '../connections/resolver.js';
import { SecretRedactor } from '../connections/redact.js';
import { NotFoundError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { RunState, TaskState } from '../states.js';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import { listTaskInstances } from '../store/task-instances.js';
import { getRunByPk } from '../store/runs.js';
import { setDagPaused } from '../store/dags.js';
import { getLogLines } from '../store/logs.js';
import { getTaskOutputs } from '../store/outputs.js';
import { StaticDagRegistry } from '../scheduler/dag-registry.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { triggerDagRun } from '../scheduler/trigger.js';

/** Options of {@link testDag}. */
export interface TestDagOptions {
  /** Logical date of the run. Default: now. */
  logicalDate?: Date;
  /** Run params (validated by the DAG's params schema). */
  conf?: unknown;
  /** Extra secrets backends consulted after the environment (e.g. a fake for tests). */
  secretsBackends?: SecretsBackend[];
  /** Other DAGs the test needs loaded (none usually). */
  otherDags?: Dag<unknown>[];
  /** Attempts at once. Default 16. */
  concurrency?: number;
  /** Give up after this long. Default 10 minutes. */
  timeoutMs?: number;
  logger?: Logger;
  /** Folder the DAG file paths are relative to (for child-process tasks). */
  dagsDir?: string;
  /** Environment for the environment secrets backend. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** One task instance's result in {@link testDag}. */
export interface TestTaskResult {
  taskId: string;
  mapIndex: number;
  state: TaskState;
  tryNumber: number;
  durationMs: number | null;
  error: string | null;
  output: unknown;
  logs: { level: string; message: string; fields: Record<string, unknown>; tryNumber: number }[];
}

/** The result of {@link testDag}. */
export interface TestDagResult {
  dagId: string;
  runId: string;
  state: RunState;
  logicalDate: Date;
  durationMs: number;
  tasks: TestTaskResult[];
}

/**
 * Runs one complete DAG run in this process on a throwaway in-memory store (PGlite): no database server,
 * no daemon. The real scheduler and executor run it, with real retries, trigger rules, mapping and
 * sensors; returns every task's final state, duration, output and log lines. `sluice dags test` uses it.
 */
export async function testDag(dag: Dag<unknown>, options: TestDagOptions = {}): Promise<TestDagResult> {
  const db = await openDatabase({ memory: true });
  const started = performance.now();
  try {
    await migrate(db);
    const env = options.env ?? process.env;
    const secrets = new SecretsResolver([new EnvironmentSecretsBackend(env), ...(options.secretsBackends ?? [])], { ttlMs: 0 });
    const logger = options.logger ?? silentLogger;
    const run = await triggerDagRun(db.knex, dag, { logicalDate: options.logicalDate ?? new Date(), conf: options.conf }, new Date());
    // Like Airflow's `dags test`: the run happens whether or not the DAG starts paused.
    await setDagPaused(db.knex, dag.id, false);
    const scheduler = new Scheduler({
      knex: db.knex,
      registry: new StaticDagRegistry([dag, ...(options.otherDags ?? [])]),
      getConnection: (id: string): Promise<Connection> => secrets.getConnection(id),
      getVariable: (key: string) => secrets.getVariable(key),
      logger,
      loopIntervalMs: 25,
      concurrency: options.concurrency ?? 16,
      heartbeatIntervalMs: 1000,
      redactor: new SecretRedactor(),
      ...(options.dagsDir ? { dagsDir: options.dagsDir } : {}),
    });
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    scheduler.start();
    let state: RunState = run.state;
    try {
      for (;;) {
        const current = await getRunByPk(db.knex, run.pk);
        if (!current) throw new NotFoundError(`run ${run.runId} vanished`);
        state = current.state;
        if (state === 'success' || state === 'failed') break;
        if (Date.now() > deadline) throw new Error(`dags test: run did not finish within ${options.timeoutMs ?? 600_000} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await scheduler.stop(1000);
    }
    const instances = await listTaskInstances(db.knex, [run.pk]);
    const structure = dag.structure();
    const outputs = await getTaskOutputs(db.knex, run.pk, structure.tasks.map((t) => ({ taskId: t.id, mapped: false })));
    const order = new Map(structure.tasks.map((t, i) => [t.id, i]));
    instances.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0) || a.mapIndex - b.mapIndex);
    const tasks: TestTaskResult[] = [];
    for (const ti of instances) {
      const logs = await getLogLines(db.knex, { runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex });
      const mappedOutputs = ti.mapIndex >= 0 ? await getTaskOutputs(db.knex, run.pk, [{ taskId: ti.taskId, mapped: true }]) : undefined;
      tasks.push({
        taskId: ti.taskId,
        mapIndex: ti.mapIndex,
        state: ti.state,
        tryNumber: ti.tryNumber,
        durationMs: ti.startedAt && ti.endedAt ? ti.endedAt.getTime() - ti.startedAt.getTime() : null,
        error: ti.error,
        output: mappedOutputs ? (mappedOutputs.get(ti.taskId) as unknown[])[ti.mapIndex] : outputs.get(ti.taskId),
        logs: logs.map((l) => ({ level: l.level, message: l.message, fields: l.fields, tryNumber: l.tryNumber })),
      });
    }
    return { dagId: dag.id, runId: run.runId, state, logicalDate: run.logicalDate, durationMs: Math.round(performance.now() - started), tasks };
  } finally {
    await db.close();
  }
}

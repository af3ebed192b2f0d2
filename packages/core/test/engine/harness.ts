import type { Knex } from 'knex';
import type { Dag } from '../../src/authoring/dag.js';
import type { Clock } from '../../src/clock.js';
import { EnvironmentSecretsBackend } from '../../src/connections/env-backend.js';
import { SecretsResolver } from '../../src/connections/resolver.js';
import { SecretRedactor } from '../../src/connections/redact.js';
import { MemoryLogger } from '../../src/logger.js';
import { StaticDagRegistry } from '../../src/scheduler/dag-registry.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import { rowsOf } from '../../src/store/rows.js';

/** A scheduler over a fixed set of DAGs, with a manual clock and an in-memory logger. */
export function makeScheduler(knex: Knex, dags: Dag<unknown>[], clock: Clock, extra: Partial<SchedulerOptions> = {}): Scheduler {
  const secrets = new SecretsResolver([new EnvironmentSecretsBackend({})], { ttlMs: 0 });
  return new Scheduler({
    knex,
    registry: new StaticDagRegistry(dags),
    getConnection: (id) => secrets.getConnection(id),
    getVariable: (key) => secrets.getVariable(key),
    clock,
    logger: new MemoryLogger(),
    concurrency: 4,
    redactor: new SecretRedactor(),
    ...extra,
  });
}

/** Alternates scheduler iterations and waiting for running attempts until `until` holds. */
export async function drive(scheduler: Scheduler, until: () => Promise<boolean>, maxIterations = 100): Promise<void> {
  for (let i = 0; i < maxIterations; i++) {
    await scheduler.runOnce();
    await scheduler.executor?.idle();
    if (await until()) return;
  }
  throw new Error(`condition not reached after ${maxIterations} scheduler iterations`);
}

/** The state of a run. */
export async function runState(knex: Knex, runPk: number): Promise<string> {
  return String(rowsOf(await knex.raw('SELECT state FROM sluice_dag_runs WHERE id = ?', [runPk]))[0]?.state);
}

/** True once the run is success or failed. */
export function runFinished(knex: Knex, runPk: number): () => Promise<boolean> {
  return async () => ['success', 'failed'].includes(await runState(knex, runPk));
}

/** Task instance states of a run keyed `task` or `task[i]` for mapped instances. */
export async function taskStates(knex: Knex, runPk: number): Promise<Record<string, string>> {
  const rows = rowsOf(await knex.raw('SELECT task_id, map_index, state FROM sluice_task_instances WHERE run_pk = ? ORDER BY task_id, map_index', [runPk]));
  return Object.fromEntries(rows.map((r) => [Number(r.map_index) >= 0 ? `${String(r.task_id)}[${Number(r.map_index)}]` : String(r.task_id), String(r.state)]));
}

/** One task instance row. */
export async function taskInstance(knex: Knex, runPk: number, taskId: string, mapIndex = -1): Promise<Record<string, unknown>> {
  const row = rowsOf(await knex.raw('SELECT * FROM sluice_task_instances WHERE run_pk = ? AND task_id = ? AND map_index = ?', [runPk, taskId, mapIndex]))[0];
  if (!row) throw new Error(`no task instance ${taskId}[${mapIndex}]`);
  return row;
}

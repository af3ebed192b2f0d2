import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/store/rows.js';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { HELLO_DAG, makeProject, runCli, startCli, waitFor } from '../cli/cli-harness.js';

const SLEEPY_DAG = `
import { dag } from '@sluice/core';
const d = dag({ id: 'sleepy', schedule: null });
d.task('nap', async () => {
  await new Promise((r) => setTimeout(r, 3000));
  return 'rested';
});
export default d;
`;

const FRAGILE_DAG = `
import { dag } from '@sluice/core';
const d = dag({ id: 'fragile', schedule: null });
d.task('nap', { retries: 1, retryDelay: 0 }, async () => {
  await new Promise((r) => setTimeout(r, 3000));
  return 'rested';
});
export default d;
`;

describe('sluice worker and sluice scheduler --concurrency 0 (real processes)', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    project = await makeProject({ 'hello.mts': HELLO_DAG, 'sleepy.mts': SLEEPY_DAG, 'fragile.mts': FRAGILE_DAG });
    database = await createTestDatabase('postgres');
    env = { SLUICE_DATABASE_URL: database.url as string, SLUICE_LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    await database?.drop();
    await project?.cleanup();
  });

  const tiRow = async (dagId: string): Promise<Record<string, unknown> | undefined> =>
    rowsOf(await database.db.knex.raw(`SELECT ti.state, ti.worker FROM sluice_task_instances ti WHERE ti.dag_id = ? ORDER BY ti.updated_at DESC LIMIT 1`, [dagId]))[0];

  it('a scheduling-only scheduler and two workers run triggered runs; SIGTERM lets running tasks finish', async () => {
    const scheduler = startCli(['scheduler', '--dags', project.dags, '--concurrency', '0'], { cwd: project.dir, env });
    const worker1 = startCli(['worker', '--dags', project.dags, '--concurrency', '2', '--grace', '20'], { cwd: project.dir, env });
    const worker2 = startCli(['worker', '--dags', project.dags, '--concurrency', '2', '--grace', '20', '--no-listen'], { cwd: project.dir, env });
    const daemons = [scheduler, worker1, worker2];
    try {
      await waitFor(async () => (scheduler.output().includes('loaded DAG hello') ? true : undefined), 30_000, 'the scheduler to load DAGs');
      expect(scheduler.output()).toContain('scheduling only');
      expect(worker1.output()).toMatch(/sluice worker .*queues=default concurrency=2 listen=on/);
      expect(worker2.output()).toContain('listen=off');
      const trig = await runCli(['dags', 'trigger', 'hello', '--dags', project.dags, '--conf', '{"n":6}', '--json'], { cwd: project.dir, env });
      expect(trig.code, trig.stderr).toBe(0);
      await waitFor(
        async () => (rowsOf(await database.db.knex.raw(`SELECT 1 FROM sluice_dag_runs WHERE dag_id = 'hello' AND state = 'success'`)).length > 0 ? true : undefined),
        30_000,
        'the hello run to succeed',
      );
      const workers = rowsOf(await database.db.knex.raw(`SELECT DISTINCT worker FROM sluice_attempts`)).map((r) => String(r.worker));
      expect(workers.length).toBeGreaterThan(0);
      expect(workers.every((w) => w.startsWith('worker-'))).toBe(true);

      const trig2 = await runCli(['dags', 'trigger', 'sleepy', '--dags', project.dags], { cwd: project.dir, env });
      expect(trig2.code, trig2.stderr).toBe(0);
      const running = await waitFor(async () => {
        const row = await tiRow('sleepy');
        return row?.state === 'running' ? String(row.worker) : undefined;
      }, 30_000, 'the nap task to run');
      const busy = [worker1, worker2].find((w) => running.includes(`-${w.child.pid}-`));
      expect(busy).toBeDefined();
      expect(await busy?.stop('SIGTERM')).toBe(0);
      expect(busy?.output()).toContain('stopped: 1 finished, 0 handed back');
      expect((await tiRow('sleepy'))?.state).toBe('success');

      expect(await scheduler.stop('SIGTERM')).toBe(0);
      for (const w of [worker1, worker2]) expect(await w.stop('SIGTERM')).toBe(0);
      const processes = rowsOf(await database.db.knex.raw(`SELECT kind, stopped_at FROM sluice_processes ORDER BY kind`));
      expect(processes.map((p) => [p.kind, p.stopped_at !== null])).toEqual([
        ['scheduler', true],
        ['worker', true],
        ['worker', true],
      ]);
    } finally {
      await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
    }
  }, 90_000);

  it('kill -9 of a worker: its attempt is declared lost after --heartbeat-timeout and retried on another worker', async () => {
    const scheduler = startCli(['scheduler', '--dags', project.dags, '--concurrency', '0', '--heartbeat-timeout', '2'], { cwd: project.dir, env });
    const doomed = startCli(['worker', '--dags', project.dags, '--heartbeat-interval', '0.5'], { cwd: project.dir, env });
    let survivor: ReturnType<typeof startCli> | undefined;
    try {
      const trig = await runCli(['dags', 'trigger', 'fragile', '--dags', project.dags], { cwd: project.dir, env });
      expect(trig.code, trig.stderr).toBe(0);
      await waitFor(async () => ((await tiRow('fragile'))?.state === 'running' ? true : undefined), 30_000, 'the nap task to run');
      expect(await doomed.stop('SIGKILL')).toBeNull();
      survivor = startCli(['worker', '--dags', project.dags, '--heartbeat-interval', '0.5'], { cwd: project.dir, env });
      await waitFor(
        async () => (rowsOf(await database.db.knex.raw(`SELECT 1 FROM sluice_dag_runs WHERE dag_id = 'fragile' AND state = 'success'`)).length > 0 ? true : undefined),
        45_000,
        'the fragile run to succeed on the second worker',
      );
      const attempts = rowsOf(
        await database.db.knex.raw(
          `SELECT a.try_number, a.state, a.worker, a.error FROM sluice_attempts a JOIN sluice_dag_runs r ON r.id = a.run_pk WHERE r.dag_id = 'fragile' ORDER BY a.try_number`,
        ),
      );
      expect(attempts.map((a) => [a.try_number, a.state])).toEqual([
        [1, 'up_for_retry'],
        [2, 'success'],
      ]);
      expect(String(attempts[0]?.error)).toMatch(/attempt lost/);
      expect(String(attempts[1]?.worker)).toContain(`-${survivor.child.pid}-`);
      expect(await survivor.stop('SIGTERM')).toBe(0);
      expect(await scheduler.stop('SIGTERM')).toBe(0);
    } finally {
      await Promise.all([scheduler, doomed, survivor].map((d) => d?.stop('SIGKILL')));
    }
  }, 90_000);
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { HELLO_DAG, makeProject, runCli, startCli, waitFor } from './cli-harness.js';

describe('sluice CLI (real processes)', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({
      'hello.mts': HELLO_DAG,
      'broken.mts': `import { dag } from '@sluice/core';\nexport default dag({ id: 'broken', schedule: '@nope' });\n`,
    });
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('dags test runs a whole run in-process and prints every task', async () => {
    const r = await runCli(['dags', 'test', 'hello', '--dags', project.dags, '--conf', '{"n":4}', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { state: string; tasks: { taskId: string; mapIndex: number; state: string; output: unknown }[] };
    expect(result.state).toBe('success');
    expect(result.tasks.filter((t) => t.taskId === 'square')).toHaveLength(4);
    expect(result.tasks.find((t) => t.taskId === 'load')?.output).toBe(4);
  });

  it('dags test --conf with a bad value exits 2 naming the field', async () => {
    const r = await runCli(['dags', 'test', 'hello', '--dags', project.dags, '--conf', '{"n":"x"}'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('params.n');
  });

  it('dags list shows good DAGs and the broken file, exiting 1', async () => {
    const r = await runCli(['dags', 'list', '--dags', project.dags, '--json'], { cwd: project.dir, env: { SLUICE_DATABASE_URL: '' } });
    const out = JSON.parse(r.stdout) as { dags: { dagId: string }[]; importErrors: { file: string; error: string }[] };
    expect(out.dags.map((d) => d.dagId)).toEqual(['hello']);
    expect(out.importErrors[0]?.file).toBe('broken.mts');
    expect(out.importErrors[0]?.error).toMatch(/@nope/);
    expect(r.code).toBe(1);
  });

  it('an unknown DAG exits 3', async () => {
    const r = await runCli(['dags', 'test', 'nope', '--dags', project.dags], { cwd: project.dir });
    expect(r.code).toBe(3);
  });
});

describe('sluice scheduler daemon against Postgres (real processes)', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    project = await makeProject({ 'hello.mts': HELLO_DAG });
    database = await createTestDatabase('postgres');
    env = { SLUICE_DATABASE_URL: database.url as string };
    expect(inject('sluiceTestPostgresUrl')).toBeTruthy();
  });
  afterAll(async () => {
    await database?.drop();
    await project?.cleanup();
  });

  it('loads DAGs, runs a triggered run, reloads edits, reports broken files, stops on SIGTERM', async () => {
    const daemon = startCli(['scheduler', '--dags', project.dags, '--grace', '5'], { cwd: project.dir, env: { ...env, SLUICE_LOG_LEVEL: 'warn' } });
    try {
      await waitFor(async () => (daemon.output().includes('loaded DAG hello') ? true : undefined), 30_000, 'the daemon to load hello');
      const trig = await runCli(['dags', 'trigger', 'hello', '--dags', project.dags, '--conf', '{"n":5}', '--json'], { cwd: project.dir, env });
      expect(trig.code, trig.stderr).toBe(0);
      const runId = (JSON.parse(trig.stdout) as { runId: string }).runId;
      await waitFor(
        async () => {
          const r = await runCli(['runs', 'list', '--dag', 'hello', '--json'], { cwd: project.dir, env });
          const runs = JSON.parse(r.stdout) as { runId: string; state: string }[];
          return runs.find((x) => x.runId === runId && x.state === 'success') ? true : undefined;
        },
        30_000,
        'the run to succeed',
      );
      const states = await runCli(['tasks', 'states', 'hello', runId, '--json'], { cwd: project.dir, env });
      const tis = (JSON.parse(states.stdout) as { taskInstances: { taskId: string; state: string }[] }).taskInstances;
      expect(tis.filter((t) => t.taskId === 'square')).toHaveLength(5);
      expect(tis.every((t) => t.state === 'success')).toBe(true);
      const logs = await runCli(['tasks', 'logs', 'hello', runId, 'load'], { cwd: project.dir, env });
      expect(logs.stdout).toContain('loaded rows');
      expect(logs.stdout).toContain('"total":30');

      await writeFile(join(project.dags, 'broken.mts'), 'export const = ;\n');
      await writeFile(join(project.dags, 'second.mts'), HELLO_DAG.replace("id: 'hello'", "id: 'second'"));
      await waitFor(async () => (daemon.output().includes('import error') && daemon.output().includes('loaded DAG second') ? true : undefined), 30_000, 'reload');
      expect(daemon.output()).toMatch(/broken\.mts/);
      const trig2 = await runCli(['dags', 'trigger', 'second', '--dags', project.dags], { cwd: project.dir, env });
      expect(trig2.code, trig2.stderr).toBe(0);
      await waitFor(
        async () => {
          const r = await runCli(['runs', 'list', '--dag', 'second', '--json'], { cwd: project.dir, env });
          return (JSON.parse(r.stdout) as { state: string }[]).some((x) => x.state === 'success') ? true : undefined;
        },
        30_000,
        'the second DAG to run while a file is broken',
      );
    } finally {
      const code = await daemon.stop('SIGTERM');
      expect(code).toBe(0);
      expect(daemon.output()).toContain('stopped:');
    }
  });

  it('connections set/get never print the password; variables round-trip', async () => {
    const set = await runCli(['connections', 'set', 'warehouse', '--uri', 'postgres://loader:s3cr%40t-pw@db.example.com:5432/analytics?sslmode=require'], { cwd: project.dir, env });
    expect(set.code, set.stderr).toBe(0);
    const get = await runCli(['connections', 'get', 'warehouse', '--json'], { cwd: project.dir, env });
    expect(get.stdout).not.toContain('s3cr');
    expect(JSON.parse(get.stdout)).toMatchObject({ id: 'warehouse', type: 'postgres', host: 'db.example.com', login: 'loader', password: '***' });
    const list = await runCli(['connections', 'list'], { cwd: project.dir, env });
    expect(list.stdout).toContain('warehouse');
    expect(list.stdout).not.toContain('s3cr');
    await runCli(['variables', 'set', 'bucket', 'my-bucket'], { cwd: project.dir, env });
    const v = await runCli(['variables', 'get', 'bucket'], { cwd: project.dir, env });
    expect(v.stdout.trim()).toBe('my-bucket');
    const envVar = await runCli(['variables', 'get', 'bucket'], { cwd: project.dir, env: { ...env, SLUICE_VAR_BUCKET: 'from-env' } });
    expect(envVar.stdout.trim()).toBe('from-env');
  });
});

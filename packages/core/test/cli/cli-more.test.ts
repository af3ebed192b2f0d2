import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { makeProject, runCli } from './cli-harness.js';

const DAILY = `
import { dag } from '@sluice/core';
const d = dag({ id: 'daily', schedule: '@daily', start: '2026-01-01', pausedOnCreation: true });
const a = d.task('extract', async (ctx) => ctx.logicalDate.toISOString().slice(0, 10));
d.task('load', { inputs: { day: a } }, async (ctx, { day }) => {
  if (day === '2026-01-02' && !process.env.FIXED) throw new Error('bad day ' + day);
  ctx.log.info('loaded ' + day);
  return day;
});
export default d;
`;

describe('backfill, tasks test, clear, pause (real processes against Postgres)', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    project = await makeProject({ 'daily.mts': DAILY });
    database = await createTestDatabase('postgres');
    env = { SLUICE_DATABASE_URL: database.url as string };
  });
  afterAll(async () => {
    await database?.drop();
    await project?.cleanup();
  });

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args], { cwd: project.dir, env: { ...env, ...extra } });

  it('dry-run plans without storing; a backfill runs in-process to the end and reports failure', async () => {
    const dry = await cli(['dags', 'backfill', 'daily', '--from', '2026-01-01', '--to', '2026-01-03', '--dry-run', '--dags', project.dags, '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { plan: { action: string }[] }).plan.map((p) => p.action)).toEqual(['create', 'create', 'create']);
    const none = await cli(['runs', 'list', '--dag', 'daily', '--json']);
    expect(JSON.parse(none.stdout)).toEqual([]);

    const run = await cli(['dags', 'backfill', 'daily', '--from', '2026-01-01', '--to', '2026-01-03', '--max-active-runs', '2', '--dags', project.dags]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('running the backfill in this process');
    expect(run.stdout).toMatch(/\[#+\] 3\/3/);
    expect(run.stdout).toContain('failed');
    const runs = JSON.parse((await cli(['runs', 'list', '--dag', 'daily', '--json'])).stdout) as { runId: string; state: string; runType: string }[];
    expect(runs.map((r) => `${r.runType}:${r.state}`).sort()).toEqual(['backfill:failed', 'backfill:success', 'backfill:success']);

    const states = await cli(['tasks', 'states', 'daily', '2026-01-02', '--json']);
    const tis = (JSON.parse(states.stdout) as { taskInstances: { taskId: string; state: string; error: string }[] }).taskInstances;
    expect(tis.find((t) => t.taskId === 'load')).toMatchObject({ state: 'failed', error: 'Error: bad day 2026-01-02' });

    const again = await cli(['dags', 'backfill', 'daily', '--from', '2026-01-01', '--to', '2026-01-03', '--reprocess', 'failed', '--dags', project.dags], { FIXED: '1' });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const after = JSON.parse((await cli(['runs', 'list', '--dag', 'daily', '--json'])).stdout) as { state: string }[];
    expect(after.map((r) => r.state)).toEqual(['success', 'success', 'success']);
  });

  it('tasks clear resets a task so the next scheduler pass reruns it', async () => {
    const cleared = await cli(['tasks', 'clear', 'daily', '2026-01-01', '-t', 'load', '--json']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ cleared: 1 });
    const states = JSON.parse((await cli(['tasks', 'states', 'daily', '2026-01-01', '--json'])).stdout) as { run: { state: string }; taskInstances: { taskId: string; state: string }[] };
    expect(states.run.state).toBe('queued');
    expect(states.taskInstances.find((t) => t.taskId === 'load')?.state).toBe('none');
    expect(states.taskInstances.find((t) => t.taskId === 'extract')?.state).toBe('success');
    const unknown = await cli(['tasks', 'clear', 'daily', '2026-01-01', '-t', 'nope']);
    expect(unknown.code).toBe(3);
  });

  it('tasks test runs one task alone with given inputs', async () => {
    const r = await cli(['tasks', 'test', 'daily', 'load', '--dags', project.dags, '--inputs', '{"day":"2026-05-05"}', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as { state: string; output: unknown; logs: { message: string }[] };
    expect(t).toMatchObject({ state: 'success', output: '2026-05-05' });
    expect(t.logs.map((l) => l.message)).toContain('loaded 2026-05-05');
  });

  it('pause and unpause flip the stored flag', async () => {
    expect((await cli(['dags', 'unpause', 'daily', '--dags', project.dags])).code).toBe(0);
    let list = JSON.parse((await cli(['dags', 'list', '--dags', project.dags, '--json'])).stdout) as { dags: { dagId: string; paused: boolean }[] };
    expect(list.dags.find((d) => d.dagId === 'daily')?.paused).toBe(false);
    expect((await cli(['dags', 'pause', 'daily', '--dags', project.dags])).code).toBe(0);
    list = JSON.parse((await cli(['dags', 'list', '--dags', project.dags, '--json'])).stdout) as { dags: { dagId: string; paused: boolean }[] };
    expect(list.dags.find((d) => d.dagId === 'daily')?.paused).toBe(true);
  });
});

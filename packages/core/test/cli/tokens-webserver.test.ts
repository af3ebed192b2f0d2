import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';
import { HELLO_DAG, makeProject, runCli, startCli, waitFor } from './cli-harness.js';

const pglite = { SLUICE_DATABASE_URL: '', DATABASE_URL: '', SLUICE_API_PORT: '' };

describe('sluice tokens and the web server (real processes, embedded store)', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({ 'hello.mts': HELLO_DAG });
  });
  afterAll(async () => {
    await project?.cleanup();
  });

  it('tokens create prints the token once; list never shows it; revoke marks it revoked', async () => {
    const created = await runCli(['tokens', 'create', '--name', 'ci', '--role', 'admin'], { cwd: project.dir, env: pglite });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^slc_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only now');
    const badRole = await runCli(['tokens', 'create', '--name', 'x', '--role', 'root'], { cwd: project.dir, env: pglite });
    expect(badRole.code).toBe(2);
    const list = await runCli(['tokens', 'list', '--json'], { cwd: project.dir, env: pglite });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(token);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'ci', role: 'admin', revokedAt: null })]);
    const revoked = await runCli(['tokens', 'revoke', 'ci'], { cwd: project.dir, env: pglite });
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await runCli(['users', 'list', '--all', '--json'], { cwd: project.dir, env: pglite });
    expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ name: 'ci', revokedAt: expect.any(String) })]);
    expect(after.stdout).not.toContain(token);
  }, 180_000);

  it('webserver refuses a non-loopback address without --auth', async () => {
    const r = await runCli(['webserver', '--host', '0.0.0.0', '--port', '0'], { cwd: project.dir, env: pglite });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/refusing to serve the API on 0\.0\.0\.0 without auth/);
  }, 60_000);

  it('the scheduler serves the API and UI from its own process (embedded store); a second webserver gets a clear error', async () => {
    const daemon = startCli(['scheduler', '--dags', project.dags, '--port', '0', '--grace', '5'], { cwd: project.dir, env: { ...pglite, SLUICE_LOG_LEVEL: 'warn' } });
    try {
      const url = await waitFor(async () => /web UI and API (http:\/\/127\.0\.0\.1:\d+)\//.exec(daemon.output())?.[1], 30_000, 'the API server');
      await waitFor(async () => (daemon.output().includes('loaded DAG hello') ? true : undefined), 30_000, 'hello to load');
      const trigger = await waitFor(
        async () => {
          const res = await fetch(`${url}/api/v1/dags/hello/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conf: { n: 2 } }) });
          return res.status === 404 ? undefined : res;
        },
        30_000,
        'hello to be stored',
      );
      expect(trigger.status).toBe(201);
      const run = (await trigger.json()) as { runId: string };
      await waitFor(
        async () => {
          const res = await fetch(`${url}/api/v1/dags/hello/runs/${encodeURIComponent(run.runId)}`);
          return ((await res.json()) as { state: string }).state === 'success' ? true : undefined;
        },
        30_000,
        'the run to succeed',
      );
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/sluice_scheduler_loop_duration_seconds_count [1-9]/);
      const second = await runCli(['webserver', '--port', '0'], { cwd: project.dir, env: pglite });
      expect(second.code).toBe(4);
      expect(second.stderr).toMatch(/already serves the web UI/);
    } finally {
      expect(await daemon.stop('SIGTERM')).toBe(0);
    }
  }, 180_000);
});

describe('sluice webserver alone against Postgres, with --auth (real processes)', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    project = await makeProject({ 'hello.mts': HELLO_DAG });
    database = await createTestDatabase('postgres');
    env = { SLUICE_DATABASE_URL: database.url as string, SLUICE_API_PORT: '' };
  });
  afterAll(async () => {
    await database?.drop();
    await project?.cleanup();
  });

  it('serves the stored DAGs without their code: bearer token required, conf checked by the stored params schema', async () => {
    const paused = await runCli(['dags', 'pause', 'hello', '--dags', project.dags], { cwd: project.dir, env });
    expect(paused.code, paused.stderr).toBe(0);
    const admin = (await runCli(['tokens', 'create', '--name', 'ops', '--role', 'admin'], { cwd: project.dir, env })).stdout.trim();
    expect(admin).toMatch(/^slc_/);
    const server = startCli(['webserver', '--port', '0', '--auth'], { cwd: project.dir, env });
    try {
      const url = await waitFor(async () => /web UI and API (http:\/\/127\.0\.0\.1:\d+)\//.exec(server.output())?.[1], 30_000, 'the web server');
      const headers = { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' };
      expect((await fetch(`${url}/api/v1/dags`)).status).toBe(401);
      const dags = (await (await fetch(`${url}/api/v1/dags`, { headers })).json()) as { dags: { dagId: string; paused: boolean }[] };
      expect(dags.dags).toEqual([expect.objectContaining({ dagId: 'hello', paused: true })]);
      const bad = await fetch(`${url}/api/v1/dags/hello/runs`, { method: 'POST', headers, body: JSON.stringify({ conf: { n: 'x' } }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('conf.n');
      const ok = await fetch(`${url}/api/v1/dags/hello/runs`, { method: 'POST', headers, body: JSON.stringify({}) });
      expect(ok.status).toBe(201);
      expect(((await ok.json()) as { conf: unknown }).conf).toEqual({ n: 3 });
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  }, 180_000);
});

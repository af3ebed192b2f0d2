import { afterAll, beforeAll, expect, it } from 'vitest';
import { DagFolder } from '../../src/loader/dag-folder.js';
import { testDag } from '../../src/testing/dag-test.js';
import { makeProject } from '../cli/cli-harness.js';

const DAG = `
import { dag } from '@sluice/core';
const d = dag({ id: 'isolated', schedule: null });
const pid = d.task('child_pid', { isolation: 'child-process' }, async (ctx) => {
  const conn = await ctx.getConnection('warehouse');
  ctx.log.info('connected with ' + conn.password, { login: conn.login });
  let x = 0;
  for (let i = 0; i < 1e6; i++) x += i;
  ctx.recordAssetEvent('s3://bucket/from-child', { x });
  const put = await ctx.catalog.putTable({ database: 'raw', name: 'from_child', location: 's3://bucket/x/', format: 'jsonl', columns: [{ name: 'x', type: 'bigint' }], partitionKeys: [] });
  ctx.log.info('catalog version ' + put.table.version);
  return { pid: process.pid, parentPid: process.ppid };
});
d.task('spin_forever', { isolation: 'child-process', timeout: 300 }, async () => {
  for (;;) { /* CPU-bound and ignores its signal: only a kill stops it */ }
});
d.task('in_process', { inputs: { pid } }, async (ctx, { pid: p }) => ({ samePid: p.pid === process.pid, catalogVersion: (await ctx.catalog.getTable('raw', 'from_child'))?.version }));
export default d;
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({ 'isolated.mts': DAG });
});
afterAll(async () => {
  await project.cleanup();
});

it('runs child-process tasks in their own process, kills them on timeout, and redacts secrets from logs', async () => {
  const folder = new DagFolder({ dir: project.dags });
  await folder.scan();
  const d = folder.get('isolated');
  expect(d, [...folder.importErrors().values()].join('\n')).toBeDefined();
  const result = await testDag(d!, {
    dagsDir: project.dags,
    env: { SLUICE_CONN_WAREHOUSE: 'postgres://loader:hunter2-secret@db:5432/dw' },
    timeoutMs: 60_000,
  });
  const byId = Object.fromEntries(result.tasks.map((t) => [t.taskId, t]));
  expect(byId.child_pid?.state).toBe('success');
  const out = byId.child_pid?.output as { pid: number; parentPid: number };
  expect(out.pid).not.toBe(process.pid);
  expect(out.parentPid).toBe(process.pid);
  expect(byId.in_process?.output).toEqual({ samePid: false, catalogVersion: 1 });
  expect(byId.child_pid?.logs.map((l) => l.message)).toContain('catalog version 1');
  const line = byId.child_pid?.logs.find((l) => l.message.startsWith('connected with'));
  expect(line?.message).toBe('connected with ***');
  expect(JSON.stringify(byId.child_pid?.logs)).not.toContain('hunter2');
  expect(byId.spin_forever?.state).toBe('failed');
  expect(byId.spin_forever?.error).toMatch(/TaskTimeoutError/);
  expect(result.state).toBe('failed');
});

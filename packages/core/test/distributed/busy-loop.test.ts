import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import { ManualClock } from '../../src/clock.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import type { WorkerOptions } from '../../src/worker/worker.js';
import { makeScheduler, taskInstance } from '../engine/harness.js';
import { makeWorker, useProcessDatabases } from './harness.js';

const CHECKER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stale-checker.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts the stale-attempt checker in another process; resolves once it polls. */
async function startChecker(url: string, thresholdMs: number): Promise<{ stop(): Promise<string> }> {
  const child = spawn(process.execPath, ['--import', TSX, CHECKER, url, String(thresholdMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  while (!out.includes('ready')) {
    if (child.exitCode !== null) throw new Error(`stale checker exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return out;
    },
  };
}

describe('distributed: a task blocking the event loop', () => {
  const processes = useProcessDatabases();
  const open = processes.open;

  async function runBusyTask(dagId: string, workerExtra: Partial<WorkerOptions>): Promise<{ state: unknown; checker: string }> {
    const d = dag({ id: dagId, schedule: null });
    d.task('spin', async () => {
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        // CPU-bound: nothing else on this thread runs (timers, the scheduler loop, main-thread heartbeats).
      }
      return 'done';
    });
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const run = await triggerDagRun(processes.test.db.knex, d, {}, clock.now());
    const schedulerDb = await open();
    const workerDb = await open();
    const scheduler = makeScheduler(schedulerDb.knex, [d], clock, { concurrency: 0, heartbeatTimeoutMs: 3_600_000 });
    await scheduler.runOnce();
    const worker = makeWorker(workerDb.knex, [d], { heartbeatIntervalMs: 200, ...workerExtra });
    const checker = await startChecker(processes.test.url as string, 1000);
    let output: string;
    try {
      expect((await worker.runOnce()).tasksLaunched).toBe(1);
      await worker.executor.idle();
    } finally {
      output = await checker.stop();
      await worker.stop(0);
      await scheduler.stop(0);
    }
    return { state: (await taskInstance(processes.test.db.knex, run.pk, 'spin')).state, checker: output };
  }

  it('is not declared dead when heartbeats come from the heartbeat thread', async () => {
    const result = await runBusyTask('busy_thread', { heartbeatConnection: { url: processes.test.url as string } });
    expect(result.state).toBe('success');
    expect(result.checker).toContain('failed 0');
  });

  it('(control) is declared dead when heartbeats share the blocked thread', async () => {
    const result = await runBusyTask('busy_main', {});
    expect(result.state).toBe('failed');
    expect(result.checker).toContain('failed 1');
  });
});

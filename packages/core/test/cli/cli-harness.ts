import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI (the test script builds before running vitest). */
export const CLI = join(coreDir, 'dist', 'cli', 'main.js');

/**
 * A temporary project under packages/core/test/.tmp: DAG files are `.mts` (always ES modules) so
 * `import '@sluice/core'` resolves to this package itself (package self-reference), like a user's install.
 */
export async function makeProject(files: Record<string, string>): Promise<{ dir: string; dags: string; cleanup(): Promise<void> }> {
  const base = join(coreDir, 'test', '.tmp');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'cli-'));
  const dags = join(dir, 'dags');
  await mkdir(dags);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dags, name), content);
  return { dir, dags, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Result of a CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (bounded by `timeoutMs`). */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running CLI process (the daemon) whose output is collected. */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `check` every 200 ms until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A DAG file using the public API. */
export const HELLO_DAG = `
import { dag } from '@sluice/core';
import { z } from 'zod';
const d = dag({ id: 'hello', schedule: null, params: z.object({ n: z.number().int().default(3) }) });
const extract = d.task('extract', async (ctx) => Array.from({ length: ctx.params.n }, (_, i) => i));
const each = d.map('square', extract, {}, async (_ctx, x) => x * x);
d.task('load', { inputs: { rows: each } }, async (ctx, { rows }) => {
  ctx.log.info('loaded rows', { n: rows.length, total: rows.reduce((a, b) => a + b, 0) });
  return rows.length;
});
export default d;
`;

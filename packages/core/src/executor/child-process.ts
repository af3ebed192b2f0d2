import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TaskNode } from '../authoring/structure.js';
import type { Logger, LogLevel } from '../logger.js';
import { classifyError, describeError, runWithTimeout, type Invocation } from './invoke-task.js';
import type { TaskContextData, TaskContextServices } from './task-context.js';

/** Messages from the parent to a task child process. */
export type ParentMessage =
  | { type: 'run'; file: string; dagId: string; taskId: string; node: TaskNode; data: TaskContextData; inputs: Record<string, unknown>; item: unknown; firstPokeAt?: string | undefined }
  | { type: 'rpc-result'; id: number; ok: boolean; value?: unknown; error?: string };

/** Messages from a task child process to its parent. */
export type ChildMessage =
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | { type: 'rpc'; id: number; method: 'getConnection' | 'getVariable' | 'previousOutput' | 'firstPoke' | 'catalogGet' | 'catalogVersions' | 'catalogPut'; args: unknown[] }
  | { type: 'asset'; uri: string; metadata: Record<string, unknown> }
  | { type: 'done'; invocation: Invocation };

/** Arguments of {@link invokeTaskInChildProcess}. */
export interface ChildInvokeArgs {
  file: string;
  node: TaskNode;
  data: TaskContextData;
  services: TaskContextServices;
  inputs: Record<string, unknown>;
  item: unknown;
  controller: AbortController;
  log: Logger;
  firstPokeAt: Date | undefined;
  onFirstPoke: (at: Date) => Promise<void>;
  recordedAssets: { uri: string; metadata: Record<string, unknown> }[];
  /** Time between SIGTERM and SIGKILL when the attempt is aborted. Default 5s. */
  killGraceMs?: number;
}

const here = fileURLToPath(import.meta.url);
/** Running from TypeScript sources (tests): the child needs tsx to load child-entry.ts. */
const fromSources = here.endsWith('.ts');
const CHILD_ENTRY = join(dirname(here), fromSources ? 'child-entry.ts' : 'child-entry.js');
const CHILD_EXEC_ARGV = fromSources ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];

/**
 * Runs a task body in a child process of its own (so CPU-bound work cannot stall the scheduler loop).
 * The child loads the DAG file, reaches connections, variables and previous outputs through the parent
 * over IPC, and streams its log lines. On timeout or abort the child is killed.
 */
export async function invokeTaskInChildProcess(args: ChildInvokeArgs): Promise<Invocation> {
  let child: ChildProcess | undefined;
  const kill = (): void => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const c = child;
    setTimeout(() => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'), args.killGraceMs ?? 5000).unref();
  };
  args.controller.signal.addEventListener('abort', kill, { once: true });
  try {
    return await runWithTimeout(
      () =>
        new Promise<Invocation>((resolvePromise, reject) => {
          child = fork(CHILD_ENTRY, [], { execArgv: CHILD_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
          let done = false;
          child.on('message', (raw) => {
            const msg = raw as ChildMessage;
            if (msg.type === 'log') args.log[msg.level](msg.message, msg.fields);
            else if (msg.type === 'asset') args.recordedAssets.push({ uri: msg.uri, metadata: msg.metadata });
            else if (msg.type === 'done') {
              done = true;
              resolvePromise(msg.invocation);
            } else if (msg.type === 'rpc') void answer(child as ChildProcess, msg, args);
          });
          child.on('error', reject);
          child.on('exit', (code, signal) => {
            if (!done) reject(new Error(`task child process exited (${signal ?? `code ${code}`}) before reporting a result`));
          });
          const run: ParentMessage = {
            type: 'run',
            file: resolve(args.file),
            dagId: args.data.dagId,
            taskId: args.data.taskId,
            node: args.node,
            data: args.data,
            inputs: args.inputs,
            item: args.item,
            firstPokeAt: args.firstPokeAt?.toISOString(),
          };
          child.send(run);
        }),
      args.node.timeoutMs,
      args.controller,
    );
  } catch (error) {
    kill();
    return { result: classifyError(error) };
  } finally {
    args.controller.signal.removeEventListener('abort', kill);
    if (child && child.exitCode === null) child.disconnect?.();
  }
}

async function answer(child: ChildProcess, msg: Extract<ChildMessage, { type: 'rpc' }>, args: ChildInvokeArgs): Promise<void> {
  let reply: ParentMessage;
  try {
    let value: unknown;
    if (msg.method === 'getConnection') value = await args.services.getConnection(String(msg.args[0]));
    else if (msg.method === 'getVariable') value = await args.services.getVariable(String(msg.args[0]));
    else if (msg.method === 'previousOutput') value = await args.services.previousOutput();
    else if (msg.method === 'catalogGet') value = await args.services.catalog.getTable(String(msg.args[0]), String(msg.args[1]));
    else if (msg.method === 'catalogVersions') value = await args.services.catalog.listVersions(String(msg.args[0]), String(msg.args[1]));
    else if (msg.method === 'catalogPut') value = await args.services.catalog.putTable(msg.args[0] as never, msg.args[1] as never);
    else value = await args.onFirstPoke(new Date(String(msg.args[0])));
    reply = { type: 'rpc-result', id: msg.id, ok: true, value };
  } catch (error) {
    reply = { type: 'rpc-result', id: msg.id, ok: false, error: describeError(error) };
  }
  if (child.connected) child.send(reply);
}

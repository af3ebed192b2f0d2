/**
 * Entry point of a task child process (see child-process.ts). Receives one `run` message, loads the DAG
 * file, runs the task body in this process, reports the result and exits.
 */
import type { ChildMessage, ParentMessage } from './child-process.js';
import { invokeTaskInProcess } from './invoke-task.js';
import { createTaskContext } from './task-context.js';
import { loadDagFile } from '../loader/load-dag-file.js';
import type { Logger, LogFields, LogLevel } from '../logger.js';

const send = (m: ChildMessage): void => {
  process.send?.(m);
};
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const rpc = (method: Extract<ChildMessage, { type: 'rpc' }>['method'], ...args: unknown[]): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ type: 'rpc', id, method, args });
  });

function ipcLogger(base: LogFields = {}): Logger {
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => send({ type: 'log', level, message, fields: { ...base, ...fields } });
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), child: (f) => ipcLogger({ ...base, ...f }) };
}

process.on('message', (raw) => {
  const msg = raw as ParentMessage;
  if (msg.type === 'rpc-result') {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p?.resolve(msg.value);
    else p?.reject(new Error(msg.error));
    return;
  }
  void run(msg).then(
    () => process.disconnect?.(),
    (error: unknown) => {
      send({ type: 'done', invocation: { result: { kind: 'error', error: `${(error as Error).name}: ${(error as Error).message}` } } });
      process.disconnect?.();
    },
  );
});

async function run(msg: Extract<ParentMessage, { type: 'run' }>): Promise<void> {
  const loaded = await loadDagFile(msg.file);
  if (loaded.error) throw loaded.error;
  const dag = loaded.dags.find((d) => d.id === msg.dagId);
  const def = dag?.getTask(msg.taskId);
  if (!def) throw new Error(`task ${msg.taskId} of DAG ${msg.dagId} is not in ${msg.file}`);
  const controller = new AbortController();
  process.on('SIGTERM', () => controller.abort(new Error('attempt aborted by the scheduler')));
  const ctx = createTaskContext(
    msg.data,
    {
      getConnection: (id) => rpc('getConnection', id) as never,
      getVariable: (key) => rpc('getVariable', key) as Promise<string | undefined>,
      previousOutput: () => rpc('previousOutput'),
      catalog: {
        getTable: (database, name) => rpc('catalogGet', database, name) as never,
        listVersions: (database, name) => rpc('catalogVersions', database, name) as never,
        putTable: (input, options) => rpc('catalogPut', input, options ?? {}) as never,
      },
    },
    ipcLogger(),
    controller.signal,
    (e) => send({ type: 'asset', ...e }),
  );
  const invocation = await invokeTaskInProcess({
    def,
    node: { ...msg.node, timeoutMs: undefined },
    ctx,
    inputs: msg.inputs,
    item: msg.item,
    controller,
    firstPokeAt: msg.firstPokeAt ? new Date(msg.firstPokeAt) : undefined,
    now: () => new Date(),
    onFirstPoke: async (at) => {
      await rpc('firstPoke', at.toISOString());
    },
  });
  send({ type: 'done', invocation });
}

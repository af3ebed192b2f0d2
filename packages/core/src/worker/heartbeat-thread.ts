import { createRequire } from 'node:module';
import { Worker as Thread } from 'node:worker_threads';
import { silentLogger, type Logger } from '../logger.js';

/** Options of {@link HeartbeatThread}. */
export interface HeartbeatThreadOptions {
  /** Postgres URL for the thread's own connection (a pooler URL is fine: no session state is used). */
  url: string;
  /** Schema the Sluice tables are in, when not the default search path. */
  schema?: string | undefined;
  /** Time between heartbeats. */
  intervalMs: number;
  /** When set, the thread also keeps this process's `sluice_processes` row alive. */
  processRow?: { id: string; kind: 'scheduler' | 'worker'; hostname: string; pid: number };
  logger?: Logger;
}

/** Messages to the thread. */
type ToThread = { type: 'attempts'; ids: string[] } | { type: 'stop' };
/** Messages from the thread. */
type FromThread = { type: 'ok' } | { type: 'error'; message: string } | { type: 'stopped' };

// Plain CommonJS evaluated in the thread (so it works from sources and from dist alike); `pg` is passed by path.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const table = (name) => (workerData.schema ? '"' + workerData.schema + '".' + name : name);
let ids = [];
let client;
let timer;
let stopping = false;
async function connection() {
  if (client) return client;
  const c = new pg.Client({ connectionString: workerData.url, connectionTimeoutMillis: 10000 });
  c.on('error', () => { if (client === c) client = undefined; });
  await c.connect();
  client = c;
  return c;
}
async function beat() {
  try {
    const c = await connection();
    if (ids.length > 0) {
      await c.query("UPDATE " + table('sluice_task_instances') + " SET heartbeat_at = now() WHERE attempt_id = ANY($1::uuid[]) AND state = 'running'", [ids]);
    }
    const p = workerData.processRow;
    if (p) {
      await c.query("INSERT INTO " + table('sluice_processes') + " (id, kind, hostname, pid) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()", [p.id, p.kind, p.hostname, p.pid]);
    }
    parentPort.postMessage({ type: 'ok' });
  } catch (error) {
    const c = client;
    client = undefined;
    if (c) c.end().catch(() => undefined);
    parentPort.postMessage({ type: 'error', message: String((error && error.message) || error) });
  }
}
function schedule() {
  timer = setTimeout(async () => {
    await beat();
    if (!stopping) schedule();
  }, workerData.intervalMs);
}
parentPort.on('message', async (message) => {
  if (message.type === 'attempts') {
    ids = message.ids;
  } else if (message.type === 'stop') {
    stopping = true;
    clearTimeout(timer);
    const c = client;
    client = undefined;
    if (c) await c.end().catch(() => undefined);
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
schedule();
`;

/**
 * Sends the heartbeats of running attempts (and optionally of the process row) from a `worker_threads`
 * thread with its own Postgres connection, so a task that blocks the main event loop (a CPU-bound
 * in-process task) is not mistaken for a dead process. Postgres only: PGlite lives in the main thread.
 */
export class HeartbeatThread {
  private readonly thread: Thread;
  private readonly logger: Logger;
  private failing = false;
  private stopped: Promise<void> | undefined;
  private exited = false;

  constructor(options: HeartbeatThreadOptions) {
    this.logger = options.logger ?? silentLogger;
    const pgPath = createRequire(import.meta.url).resolve('pg');
    this.thread = new Thread(THREAD_SOURCE, {
      eval: true,
      workerData: { pgPath, url: options.url, schema: options.schema, intervalMs: options.intervalMs, processRow: options.processRow },
    });
    this.thread.unref();
    this.thread.once('exit', () => {
      this.exited = true;
    });
    this.thread.on('message', (message: FromThread) => {
      if (message.type === 'error' && !this.failing) {
        this.failing = true;
        this.logger.warn('heartbeat failed; retrying', { error: message.message });
      } else if (message.type === 'ok' && this.failing) {
        this.failing = false;
        this.logger.info('heartbeats recorded again');
      }
    });
    this.thread.on('error', (error) => this.logger.error('heartbeat thread crashed', { error: error.message }));
  }

  /** Replaces the set of attempt ids to heartbeat. */
  setAttempts(ids: readonly string[]): void {
    this.post({ type: 'attempts', ids: [...ids] });
  }

  private post(message: ToThread): void {
    this.thread.postMessage(message);
  }

  /** Closes the thread's connection and ends it. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const timer = setTimeout(() => void this.thread.terminate().then(() => resolve()), 5000);
      this.thread.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.post({ type: 'stop' });
    });
    return this.stopped;
  }
}

/**
 * What the long-running commands (`sluice scheduler`, `sluice worker`) share: DAG folder scans reported on
 * the terminal, the LISTEN / heartbeat connections of a Postgres store, duration options, and a stop on
 * SIGINT/SIGTERM that gives running tasks their grace time (a second signal exits at once).
 */
import pc from 'picocolors';
import { ValidationError } from '../errors.js';
import type { DagFolder } from '../loader/dag-folder.js';
import { resolveListenUrl } from '../store/wakeup-listener.js';
import type { CliRuntime } from './runtime.js';

/** `folder.scan` that prints import errors (once each) and loaded, reloaded and removed DAGs to stderr. */
export function reportingScan(folder: DagFolder): () => ReturnType<DagFolder['scan']> {
  let reported = new Map<string, string>();
  return async () => {
    const scan = await folder.scan();
    if (scan.changed) {
      for (const [file, error] of scan.errors) if (reported.get(file) !== error) process.stderr.write(`${pc.red('import error')} ${error}\n`);
      for (const id of scan.added) process.stderr.write(`${pc.green('loaded')} DAG ${id}\n`);
      for (const id of scan.updated) process.stderr.write(`${pc.cyan('reloaded')} DAG ${id}\n`);
      for (const id of scan.removed) process.stderr.write(`${pc.yellow('removed')} DAG ${id}\n`);
      reported = new Map(scan.errors);
    }
    return scan;
  };
}

/** LISTEN URL (unless off) and the heartbeat thread's connection, for a Postgres store. */
export function distributedOptions(db: CliRuntime['db'], listen: boolean): { listenUrl?: string; heartbeatConnection?: { url: string; schema?: string | undefined } } {
  const listenUrl = resolveListenUrl(process.env, db, listen);
  return { ...(listenUrl ? { listenUrl } : {}), ...(db.url ? { heartbeatConnection: { url: db.url, schema: db.schema } } : {}) };
}

/** An option's value as a positive number of seconds. @throws ValidationError naming the option. */
export function positiveSeconds(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${option} must be a positive number of seconds, got ${value}`, option.slice(2));
  return n;
}

/** What {@link stopOnSignals} needs. */
export interface SignalStop {
  /** `--grace`, in seconds. */
  graceSeconds: number;
  /** Stops the process's loop, giving running tasks `graceMs`. */
  stop: (graceMs: number) => Promise<{ finished: number; released: number }>;
  /** Where released attempts go, for the last line (`for a later run`, `to other workers`). */
  releasedTo: string;
  close: () => Promise<void>;
}

/** On the first SIGINT/SIGTERM stops gracefully and exits 0 (1 when stopping fails); on a second one exits 130. Never returns. */
export async function stopOnSignals(o: SignalStop): Promise<never> {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${signal}: no new tasks; waiting up to ${o.graceSeconds}s for running tasks\n`);
    void o
      .stop(o.graceSeconds * 1000)
      .then(async (r) => {
        process.stderr.write(`stopped: ${r.finished} finished, ${r.released} handed back ${o.releasedTo}\n`);
        await o.close();
        process.exit(0);
      })
      .catch(async (error: unknown) => {
        process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
        await o.close().catch(() => undefined);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return new Promise<never>(() => undefined);
}

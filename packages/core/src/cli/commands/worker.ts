import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import pc from 'picocolors';
import { DagFolder } from '../../loader/dag-folder.js';
import { SecretRedactor } from '../../connections/redact.js';
import { Worker } from '../../worker/worker.js';
import { distributedOptions, positiveSeconds, reportingScan, stopOnSignals } from '../daemon.js';
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
      const heartbeatSeconds = positiveSeconds(o.heartbeatInterval, '--heartbeat-interval');
      const rt = await openRuntime({ ...(o.dags ? { dags: o.dags } : {}), logLevel: 'info' });
      const folder = new DagFolder({ dir: rt.dagsDir, logger: rt.logger });
      const connections = distributedOptions(rt.db, o.listen);
      const queues = o.queues.split(',').map((q) => q.trim()).filter(Boolean);
      const worker = new Worker({
        knex: rt.db.knex,
        registry: folder,
        dagsDir: rt.dagsDir,
        scanDags: reportingScan(folder),
        getConnection: (id) => rt.secrets.getConnection(id),
        getVariable: (key) => rt.secrets.getVariable(key),
        logger: rt.logger,
        concurrency,
        queues,
        pollIntervalMs: Number(o.poll) || 1000,
        heartbeatIntervalMs: heartbeatSeconds * 1000,
        ...connections,
        redactor: new SecretRedactor(),
      });
      process.stderr.write(
        `${pc.bold('sluice worker')} dags=${rt.dagsDir} store=${rt.db.description} queues=${queues.join(',')} concurrency=${concurrency} listen=${connections.listenUrl ? 'on' : 'off (polling)'}\n`,
      );
      worker.start();
      await stopOnSignals({ graceSeconds: Number(o.grace), stop: (graceMs) => worker.stop(graceMs), releasedTo: 'to other workers', close: () => rt.close() });
    });
}

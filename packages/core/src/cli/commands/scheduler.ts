import type { Command } from 'commander';
import pc from 'picocolors';
import { DagFolder } from '../../loader/dag-folder.js';
import { SecretRedactor } from '../../connections/redact.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import { distributedOptions, positiveSeconds, reportingScan, stopOnSignals } from '../daemon.js';
import { openRuntime } from '../runtime.js';
import type { ApiServer } from '../../api/server.js';
import { addWebserverOptions, startWebserverFromCli, type WebserverCliOptions } from './webserver.js';

/** `sluice scheduler`: the daemon. */
export function registerSchedulerCommand(program: Command): void {
  addWebserverOptions(program.command('scheduler'))
    .option('--no-webserver', 'do not serve the REST API and web UI from this process')
    .description('run the scheduler daemon: load DAG files, create runs, execute tasks')
    .option('--dags <dir>', 'DAG folder (default: $SLUICE_DAGS_FOLDER or ./dags)')
    .option('--concurrency <n>', 'task attempts running at once in this process', '16')
    .option('--queues <list>', 'comma-separated queues to run tasks from', 'default')
    .option('--grace <seconds>', 'on SIGINT/SIGTERM, time running tasks get to finish', '30')
    .option('--no-listen', 'do not LISTEN for wake-ups (poll only); also SLUICE_LISTEN=off')
    .option('--heartbeat-timeout <seconds>', 'fail (and retry) a running attempt with no heartbeat for this long', '120')
    .option('--heartbeat-interval <seconds>', 'how often this process heartbeats its running attempts', '5')
    .action(async (o: { dags?: string; concurrency: string; queues: string; grace: string; listen: boolean; webserver: boolean; heartbeatTimeout: string; heartbeatInterval: string } & WebserverCliOptions) => {
      const rt = await openRuntime({ ...(o.dags ? { dags: o.dags } : {}), logLevel: 'info' });
      const folder = new DagFolder({ dir: rt.dagsDir, logger: rt.logger });
      // Loaded here so other commands do not pay for the API's modules at startup.
      const metrics = new (await import('../../api/metrics.js')).ApiMetrics();
      const scheduler = new Scheduler({
        knex: rt.db.knex,
        registry: folder,
        dagsDir: rt.dagsDir,
        scanDags: reportingScan(folder),
        getConnection: (id) => rt.secrets.getConnection(id),
        getVariable: (key) => rt.secrets.getVariable(key),
        logger: rt.logger,
        concurrency: Number(o.concurrency),
        queues: o.queues.split(',').map((q) => q.trim()).filter(Boolean),
        redactor: new SecretRedactor(),
        ...distributedOptions(rt.db, o.listen),
        heartbeatTimeoutMs: positiveSeconds(o.heartbeatTimeout, '--heartbeat-timeout') * 1000,
        heartbeatIntervalMs: positiveSeconds(o.heartbeatInterval, '--heartbeat-interval') * 1000,
        onIteration: (stats) => metrics.observeIteration(stats),
      });
      process.stderr.write(`${pc.bold('sluice scheduler')} dags=${rt.dagsDir} store=${rt.db.description} concurrency=${o.concurrency}\n`);
      if (Number(o.concurrency) === 0) process.stderr.write('scheduling only (--concurrency 0): tasks run in `sluice worker` processes\n');
      let server: ApiServer | undefined;
      if (o.webserver) {
        try {
          server = await startWebserverFromCli(o, { db: rt.db, logger: rt.logger, registry: folder, metrics, onRunsChanged: () => scheduler.wake() });
        } catch (error) {
          // A busy port must not keep the scheduler down (e.g. a second scheduler on this host): warn and go on.
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
            await rt.close();
            throw error;
          }
          process.stderr.write(`${pc.yellow('web UI not started')}: port ${o.port} is in use (choose one with --port, or --no-webserver)\n`);
        }
      }
      scheduler.start();
      await stopOnSignals({
        graceSeconds: Number(o.grace),
        // The web server closes first so no trigger arrives while tasks wind down.
        stop: async (graceMs) => {
          await server?.close().catch(() => undefined);
          return scheduler.stop(graceMs);
        },
        releasedTo: 'for a later run',
        close: () => rt.close(),
      });
    });
}

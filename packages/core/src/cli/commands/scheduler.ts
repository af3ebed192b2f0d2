import type { Command } from 'commander';
import pc from 'picocolors';
import { DagFolder } from '../../loader/dag-folder.js';
import { SecretRedactor } from '../../connections/redact.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import { openRuntime } from '../runtime.js';

/** `sluice scheduler`: the daemon. */
export function registerSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description('run the scheduler daemon: load DAG files, create runs, execute tasks')
    .option('--dags <dir>', 'DAG folder (default: $SLUICE_DAGS_FOLDER or ./dags)')
    .option('--concurrency <n>', 'task attempts running at once in this process', '16')
    .option('--queues <list>', 'comma-separated queues to run tasks from', 'default')
    .option('--grace <seconds>', 'on SIGINT/SIGTERM, time running tasks get to finish', '30')
    .action(async (o: { dags?: string; concurrency: string; queues: string; grace: string }) => {
      const rt = await openRuntime({ ...(o.dags ? { dags: o.dags } : {}), logLevel: 'info' });
      const folder = new DagFolder({ dir: rt.dagsDir, logger: rt.logger });
      let reported = new Map<string, string>();
      const scheduler = new Scheduler({
        knex: rt.db.knex,
        registry: folder,
        dagsDir: rt.dagsDir,
        scanDags: async () => {
          const scan = await folder.scan();
          if (scan.changed) {
            for (const [file, error] of scan.errors) if (reported.get(file) !== error) process.stderr.write(`${pc.red('import error')} ${error}\n`);
            for (const id of scan.added) process.stderr.write(`${pc.green('loaded')} DAG ${id}\n`);
            for (const id of scan.updated) process.stderr.write(`${pc.cyan('reloaded')} DAG ${id}\n`);
            for (const id of scan.removed) process.stderr.write(`${pc.yellow('removed')} DAG ${id}\n`);
            reported = new Map(scan.errors);
          }
          return scan;
        },
        getConnection: (id) => rt.secrets.getConnection(id),
        getVariable: (key) => rt.secrets.getVariable(key),
        logger: rt.logger,
        concurrency: Number(o.concurrency),
        queues: o.queues.split(',').map((q) => q.trim()).filter(Boolean),
        redactor: new SecretRedactor(),
      });
      process.stderr.write(`${pc.bold('sluice scheduler')} dags=${rt.dagsDir} store=${rt.db.description} concurrency=${o.concurrency}\n`);
      scheduler.start();
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          process.stderr.write(`${signal} again: exiting now\n`);
          process.exit(130);
        }
        stopping = true;
        process.stderr.write(`${signal}: no new tasks; waiting up to ${o.grace}s for running tasks\n`);
        void scheduler
          .stop(Number(o.grace) * 1000)
          .then(async (r) => {
            process.stderr.write(`stopped: ${r.finished} finished, ${r.released} handed back for a later run\n`);
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

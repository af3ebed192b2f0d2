import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { SecretRedactor } from '../../connections/redact.js';
import { cancelBackfill, createBackfill, listBackfills } from '../../scheduler/backfill.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import { rowsOf } from '../../store/rows.js';
import { EXIT } from '../errors.js';
import { parseDateOption, parseJsonOption, requireDag } from '../dag-lookup.js';
import { colorState, formatDate, printJson, progressBar, table } from '../format.js';
import { withRuntime, type CliRuntime } from '../runtime.js';

async function liveSchedulers(rt: CliRuntime): Promise<number> {
  const rows = rowsOf(
    await rt.db.knex.raw(`SELECT count(*) AS n FROM sluice_processes WHERE kind = 'scheduler' AND stopped_at IS NULL AND heartbeat_at > now() - interval '30 seconds'`),
  );
  return Number(rows[0]?.n ?? 0);
}

/** `sluice dags backfill <dagId> --from --to`. */
export function registerBackfillCommand(dags: Command): void {
  dags
    .command('backfill <dagId>')
    .description('create runs for every data interval in [--from, --to] and follow their progress')
    .requiredOption('--from <date>', 'first logical date (inclusive)')
    .requiredOption('--to <date>', 'last logical date (inclusive)')
    .option('--reprocess <policy>', 'existing runs: none (skip) | failed (rerun failed) | all (rerun all)', 'none')
    .option('--max-active-runs <n>', 'runs of this backfill active at once', '4')
    .option('--conf <json>', 'run params as JSON')
    .option('--dry-run', 'only list what would be done')
    .option('--no-wait', 'create the backfill and return; a running scheduler does the work')
    .option('--dags <dir>', 'DAG folder')
    .option('--json', 'JSON output')
    .action(
      async (
        dagId: string,
        o: { from: string; to: string; reprocess: string; maxActiveRuns: string; conf?: string; dryRun?: boolean; wait: boolean; dags?: string; json?: boolean },
      ) => {
        if (!['none', 'failed', 'all'].includes(o.reprocess)) throw new ValidationError(`--reprocess must be none, failed or all, not '${o.reprocess}'`, 'reprocess');
        const maxActiveRuns = Number(o.maxActiveRuns);
        if (!Number.isInteger(maxActiveRuns) || maxActiveRuns < 1) throw new ValidationError('--max-active-runs must be a positive integer', 'maxActiveRuns');
        await withRuntime({ ...(o.dags ? { dags: o.dags } : {}), loadDags: true }, async (rt) => {
          const dag = requireDag(rt, dagId);
          const { backfillId, plan } = await createBackfill(rt.db.knex, dag, {
            from: parseDateOption(o.from, '--from') as Date,
            to: parseDateOption(o.to, '--to') as Date,
            reprocess: o.reprocess as 'none',
            maxActiveRuns,
            dryRun: Boolean(o.dryRun),
            conf: parseJsonOption(o.conf, '--conf'),
          });
          if (o.dryRun || !o.wait) {
            if (o.json) return printJson({ backfillId: backfillId ?? null, dryRun: Boolean(o.dryRun), plan });
            process.stdout.write(`${table(['LOGICAL DATE', 'ACTION', 'REASON'], plan.map((p) => [formatDate(p.interval.start), p.action, p.reason]))}\n`);
            process.stdout.write(o.dryRun ? `dry run: ${plan.filter((p) => p.action !== 'skip').length} runs would be created or rerun\n` : `backfill ${backfillId} created\n`);
            return;
          }
          let local: Scheduler | undefined;
          if ((await liveSchedulers(rt)) === 0 && rt.folder) {
            process.stderr.write('no scheduler is running: running the backfill in this process\n');
            local = new Scheduler({
              knex: rt.db.knex,
              registry: rt.folder,
              dagsDir: rt.dagsDir,
              getConnection: (id) => rt.secrets.getConnection(id),
              getVariable: (key) => rt.secrets.getVariable(key),
              logger: rt.logger,
              redactor: new SecretRedactor(),
              loopIntervalMs: 200,
            });
            local.start();
          }
          const interactive = process.stderr.isTTY && !o.json;
          let cancelled = false;
          const onSigint = (): void => {
            cancelled = true;
          };
          process.on('SIGINT', onSigint);
          try {
            for (;;) {
              const b = (await listBackfills(rt.db.knex, dagId)).find((x) => x.id === backfillId);
              if (!b) break;
              const done = b.runs.success + b.runs.failed;
              const line = `backfill ${b.id} ${progressBar(done, b.runs.total)} running ${b.runs.running} failed ${b.runs.failed}`;
              if (interactive) process.stderr.write(`\r${line}`);
              if (b.state !== 'running' || cancelled) {
                if (cancelled) await cancelBackfill(rt.db.knex, b.id);
                if (interactive) process.stderr.write('\n');
                const final = (await listBackfills(rt.db.knex, dagId)).find((x) => x.id === backfillId) ?? b;
                if (o.json) printJson(final);
                else process.stdout.write(`${line}\nbackfill ${final.id} ${colorState(final.state)}\n`);
                if (final.state !== 'success') process.exitCode = EXIT.failure;
                break;
              }
              if (!interactive && !o.json) process.stderr.write(`${line}\n`);
              await new Promise((r) => setTimeout(r, interactive ? 250 : 2000));
            }
          } finally {
            process.off('SIGINT', onSigint);
            await local?.stop(30_000);
          }
        });
      },
    );

  dags
    .command('backfills [dagId]')
    .description('backfills with their progress')
    .option('--cancel <id>', 'cancel a running backfill')
    .option('--json', 'JSON output')
    .action(async (dagId: string | undefined, o: { cancel?: string; json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        if (o.cancel) {
          const ok = await cancelBackfill(rt.db.knex, Number(o.cancel));
          process.stdout.write(ok ? `backfill ${o.cancel} cancelled\n` : `backfill ${o.cancel} is not running\n`);
          return;
        }
        const list = await listBackfills(rt.db.knex, dagId);
        if (o.json) return printJson(list);
        process.stdout.write(
          `${table(
            ['ID', 'DAG', 'FROM', 'TO', 'REPROCESS', 'STATE', 'PROGRESS'],
            list.map((b) => [String(b.id), b.dagId, formatDate(b.from), formatDate(b.to), b.reprocess, colorState(b.state), progressBar(b.runs.success + b.runs.failed, b.runs.total, 20)]),
          )}\n`,
        );
      });
    });
}


import type { Command } from 'commander';
import pc from 'picocolors';
import { describeSchedule } from '../../scheduling/intervals.js';
import { getDag, listDags, listImportErrors, setDagPaused, upsertDag } from '../../store/dags.js';
import { listRuns } from '../../store/runs.js';
import { triggerDagRun } from '../../scheduler/trigger.js';
import { requireDag, parseDateOption, parseJsonOption } from '../dag-lookup.js';
import { colorState, formatDate, printJson, table } from '../format.js';
import { withRuntime } from '../runtime.js';
import { registerBackfillCommand } from './backfill.js';
import { registerDagsTestCommand } from './dags-test.js';
import { hashDagStructure } from '../../authoring/structure.js';

/** `sluice dags list|show|trigger|pause|unpause|backfill|test`. */
export function registerDagsCommands(program: Command): void {
  const dags = program.command('dags').description('DAGs: list, inspect, trigger, pause, backfill, test');

  dags
    .command('list')
    .description('DAGs in the folder with schedule, paused flag and last run; import errors')
    .option('--dags <dir>', 'DAG folder')
    .option('--json', 'JSON output')
    .action(async (o: { dags?: string; json?: boolean }) => {
      await withRuntime({ ...(o.dags ? { dags: o.dags } : {}), loadDags: true }, async (rt) => {
        const stored = new Map((await listDags(rt.db.knex)).map((d) => [d.dagId, d]));
        const rows = [];
        for (const dag of rt.folder?.list() ?? []) {
          const s = dag.structure();
          const last = (await listRuns(rt.db.knex, { dagId: dag.id, limit: 1 }))[0];
          rows.push({
            dagId: dag.id,
            file: dag.file ?? null,
            schedule: describeSchedule(s.schedule, s.timezone),
            paused: stored.get(dag.id)?.isPaused ?? dag.options.pausedOnCreation,
            tasks: s.tasks.length,
            tags: s.tags,
            lastRun: last ? { runId: last.runId, state: last.state, logicalDate: last.logicalDate } : null,
          });
        }
        const importErrors = [...(rt.folder?.importErrors() ?? new Map<string, string>()).entries()].map(([file, error]) => ({ file, error }));
        if (importErrors.length > 0) process.exitCode = 1;
        if (o.json) return printJson({ dags: rows, importErrors });
        process.stdout.write(
          `${table(
            ['DAG', 'SCHEDULE', 'PAUSED', 'TASKS', 'LAST RUN', 'FILE'],
            rows.map((r) => [r.dagId, r.schedule, r.paused ? pc.yellow('yes') : 'no', String(r.tasks), r.lastRun ? `${colorState(r.lastRun.state)} ${formatDate(r.lastRun.logicalDate)}` : '-', r.file ?? '-']),
          )}\n`,
        );
        for (const e of importErrors) process.stdout.write(`${pc.red('import error')} ${e.error}\n`);
      });
    });

  dags
    .command('show <dagId>')
    .description('the DAG graph: tasks, upstreams, trigger rules, options')
    .option('--dags <dir>', 'DAG folder')
    .option('--json', 'JSON output')
    .action(async (dagId: string, o: { dags?: string; json?: boolean }) => {
      await withRuntime({ ...(o.dags ? { dags: o.dags } : {}), loadDags: true }, async (rt) => {
        const dag = requireDag(rt, dagId);
        const s = dag.structure();
        const version = hashDagStructure(s);
        if (o.json) return printJson({ ...s, version, file: dag.file ?? null, scheduleDescription: describeSchedule(s.schedule, s.timezone) });
        process.stdout.write(`${pc.bold(s.dagId)}  ${describeSchedule(s.schedule, s.timezone)}  version ${version}\n`);
        if (s.description) process.stdout.write(`${s.description}\n`);
        process.stdout.write(
          `${table(
            ['TASK', 'KIND', 'UPSTREAM', 'TRIGGER RULE', 'RETRIES', 'POOL'],
            s.tasks.map((t) => [t.id, t.kind + (t.operator ? ` (${t.operator})` : ''), t.upstream.join(', ') || '-', t.triggerRule, String(t.retries), t.pool]),
          )}\n`,
        );
      });
    });

  dags
    .command('trigger <dagId>')
    .description('create a manual run (conf validated by the DAG params)')
    .option('--dags <dir>', 'DAG folder')
    .option('--conf <json>', 'run params as JSON')
    .option('--date <date>', 'logical date (default now)')
    .option('--run-id <id>', 'run id (default manual__<date>)')
    .option('--json', 'JSON output')
    .action(async (dagId: string, o: { dags?: string; conf?: string; date?: string; runId?: string; json?: boolean }) => {
      await withRuntime({ ...(o.dags ? { dags: o.dags } : {}), loadDags: true }, async (rt) => {
        const dag = requireDag(rt, dagId);
        const logicalDate = parseDateOption(o.date, '--date');
        const run = await triggerDagRun(
          rt.db.knex,
          dag,
          { conf: parseJsonOption(o.conf, '--conf'), ...(logicalDate ? { logicalDate } : {}), ...(o.runId ? { runId: o.runId } : {}) },
          new Date(),
        );
        if (o.json) return printJson(run);
        process.stdout.write(`created run ${run.runId} (${colorState(run.state)})\n`);
      });
    });

  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    dags
      .command(`${name} <dagId>`)
      .description(paused ? 'stop creating and starting runs of a DAG' : 'resume scheduling a DAG')
      .option('--dags <dir>', 'DAG folder')
      .option('--json', 'JSON output')
      .action(async (dagId: string, o: { dags?: string; json?: boolean }) => {
        await withRuntime({ ...(o.dags ? { dags: o.dags } : {}), loadDags: true }, async (rt) => {
          if (!(await getDag(rt.db.knex, dagId))) {
            const dag = requireDag(rt, dagId);
            const structure = dag.structure();
            await upsertDag(rt.db.knex, { structure, versionHash: hashDagStructure(structure), filePath: dag.file ?? null, pausedOnCreation: dag.options.pausedOnCreation });
          }
          await setDagPaused(rt.db.knex, dagId, paused);
          if (o.json) return printJson({ dagId, paused });
          process.stdout.write(`${dagId} ${paused ? 'paused' : 'unpaused'}\n`);
        });
      });
  }

  dags
    .command('import-errors')
    .description('import errors recorded by the scheduler')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const errors = await listImportErrors(rt.db.knex);
        if (o.json) return printJson(errors);
        for (const e of errors) process.stdout.write(`${pc.red(e.file)} ${e.error}\n`);
        if (errors.length === 0) process.stdout.write('no import errors\n');
      });
    });

  registerBackfillCommand(dags);
  registerDagsTestCommand(dags);
}

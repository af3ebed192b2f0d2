import type { Command } from 'commander';
import pc from 'picocolors';
import { NotFoundError } from '../../errors.js';
import { clearTaskInstances } from '../../scheduler/clear.js';
import { getDagVersion } from '../../store/dags.js';
import { getLogLines } from '../../store/logs.js';
import { getRun } from '../../store/runs.js';
import { listTaskInstances } from '../../store/task-instances.js';
import type { CliRuntime } from '../runtime.js';
import { colorState, formatDate, formatDuration, printJson, table } from '../format.js';
import { withRuntime } from '../runtime.js';
import { registerTasksTestCommand } from './tasks-test.js';

async function requireRun(rt: CliRuntime, dagId: string, run: string) {
  const record = await getRun(rt.db.knex, dagId, run);
  if (!record) throw new NotFoundError(`DAG ${dagId} has no run '${run}' (give a run id or a logical date)`);
  return record;
}

/** `sluice tasks states|logs|clear|test`. */
export function registerTasksCommands(program: Command): void {
  const tasks = program.command('tasks').description('task instances: states, logs, clear, test');

  tasks
    .command('states <dagId> <run>')
    .description('task instance states of a run (run id or logical date)')
    .option('--json', 'JSON output')
    .action(async (dagId: string, run: string, o: { json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const r = await requireRun(rt, dagId, run);
        const tis = await listTaskInstances(rt.db.knex, [r.pk]);
        if (o.json) return printJson({ run: r, taskInstances: tis });
        process.stdout.write(`${pc.bold(r.runId)} ${colorState(r.state)}\n`);
        process.stdout.write(
          `${table(
            ['TASK', 'MAP', 'STATE', 'TRY', 'STARTED', 'DURATION', 'ERROR'],
            tis.map((t) => [
              t.taskId,
              t.mapIndex >= 0 ? String(t.mapIndex) : '',
              colorState(t.state),
              `${t.tryNumber}/${t.maxTries}`,
              formatDate(t.startedAt),
              formatDuration(t.startedAt && t.endedAt ? t.endedAt.getTime() - t.startedAt.getTime() : null),
              t.error ?? '',
            ]),
          )}\n`,
        );
      });
    });

  tasks
    .command('logs <dagId> <run> <taskId>')
    .description('log lines of a task instance, per attempt')
    .option('--map-index <n>', 'mapped instance', '-1')
    .option('--try <n>', 'only this attempt')
    .option('--follow', 'keep printing new lines while the task runs')
    .option('--json', 'JSON output')
    .action(async (dagId: string, run: string, taskId: string, o: { mapIndex: string; try?: string; follow?: boolean; json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const r = await requireRun(rt, dagId, run);
        let afterId = 0;
        for (;;) {
          const lines = await getLogLines(rt.db.knex, {
            runPk: r.pk,
            taskId,
            mapIndex: Number(o.mapIndex),
            ...(o.try ? { tryNumber: Number(o.try) } : {}),
            afterId,
          });
          if (o.json && !o.follow) return printJson(lines);
          for (const l of lines) {
            const fields = Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : '';
            process.stdout.write(o.json ? `${JSON.stringify(l)}\n` : `${pc.dim(`${formatDate(l.at)} try ${l.tryNumber}`)} ${l.level.padEnd(5)} ${l.message}${fields}\n`);
            afterId = l.id;
          }
          if (!o.follow) return;
          const ti = (await listTaskInstances(rt.db.knex, [r.pk])).find((t) => t.taskId === taskId && t.mapIndex === Number(o.mapIndex));
          if (!ti || !['none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule'].includes(ti.state)) return;
          await new Promise((res) => setTimeout(res, 1000));
        }
      });
    });

  tasks
    .command('clear <dagId> <run>')
    .description('clear task instances of a run so they run again')
    .option('-t, --task <ids...>', 'only these tasks (default: all)')
    .option('--downstream', 'also clear everything downstream of them')
    .option('--only-failed', 'only failed and upstream_failed instances')
    .option('--json', 'JSON output')
    .action(async (dagId: string, run: string, o: { task?: string[]; downstream?: boolean; onlyFailed?: boolean; json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const r = await requireRun(rt, dagId, run);
        const structure = await getDagVersion(rt.db.knex, dagId, r.versionHash);
        if (!structure) throw new NotFoundError(`version ${r.versionHash} of DAG ${dagId} is not stored`);
        for (const t of o.task ?? []) if (!structure.tasks.some((n) => n.id === t)) throw new NotFoundError(`DAG ${dagId} has no task '${t}'`);
        const cleared = await clearTaskInstances(rt.db.knex, {
          runPk: r.pk,
          structure,
          ...(o.task ? { taskIds: o.task } : {}),
          downstream: Boolean(o.downstream),
          onlyFailed: Boolean(o.onlyFailed),
        });
        if (o.json) return printJson({ runId: r.runId, cleared });
        process.stdout.write(`cleared ${cleared} task instance(s) of ${r.runId}\n`);
      });
    });

  registerTasksTestCommand(tasks);
}

import type { Command } from 'commander';
import { dag as makeDag } from '../../authoring/dag.js';
import { DagFolder } from '../../loader/dag-folder.js';
import { NotFoundError } from '../../errors.js';
import { testDag } from '../../testing/dag-test.js';
import { EXIT } from '../errors.js';
import { parseDateOption, parseJsonOption } from '../dag-lookup.js';
import { colorState, formatDuration, printJson } from '../format.js';
import { resolveDagsDir } from '../runtime.js';

/** `sluice tasks test`: run one task alone (no upstream), with given upstream outputs, on an in-memory store. */
export function registerTasksTestCommand(tasks: Command): void {
  tasks
    .command('test <dagId> <taskId>')
    .description('run one task alone in this process, ignoring its dependencies (upstream outputs from --inputs)')
    .option('--dags <dir>', 'DAG folder')
    .option('--date <date>', 'logical date (default now)')
    .option('--conf <json>', 'run params as JSON')
    .option('--inputs <json>', 'the task inputs as JSON: {"<input name>": <upstream output>}')
    .option('--json', 'JSON output')
    .action(async (dagId: string, taskId: string, o: { dags?: string; date?: string; conf?: string; inputs?: string; json?: boolean }) => {
      const dir = resolveDagsDir(o.dags);
      const folder = new DagFolder({ dir });
      await folder.scan();
      const source = folder.get(dagId);
      if (!source) throw new NotFoundError(`DAG '${dagId}' not found in ${dir}`);
      const def = source.getTask(taskId);
      if (!def) throw new NotFoundError(`DAG ${dagId} has no task '${taskId}' (tasks: ${source.listTasks().map((t) => t.id).join(', ')})`);
      const given = (parseJsonOption(o.inputs, '--inputs') ?? {}) as Record<string, unknown>;
      // A one-task DAG with the same id, params and options, whose task reads `--inputs` instead of upstreams.
      const single = makeDag({ ...source.options, id: source.id, schedule: null, params: source.options.params } as Parameters<typeof makeDag>[0]);
      single.file = source.file;
      const { outlets, ...options } = def.options;
      single.task(taskId.replace(/\./g, '_'), { ...options, ...(outlets ? { outlets } : {}) }, (ctx: unknown) =>
        def.run(ctx as never, given, def.mapOver ? given.item : undefined),
      );
      const logicalDate = parseDateOption(o.date, '--date');
      const result = await testDag(single as never, { conf: parseJsonOption(o.conf, '--conf'), ...(logicalDate ? { logicalDate } : {}), dagsDir: dir });
      const t = result.tasks[0];
      if (o.json) printJson(t);
      else {
        for (const l of t?.logs ?? []) process.stdout.write(`${l.level} ${l.message}${Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : ''}\n`);
        process.stdout.write(`${taskId}: ${colorState(t?.state ?? 'none')} in ${formatDuration(t?.durationMs)}${t?.error ? `\n${t.error}` : ''}\n`);
        if (t?.output !== undefined) process.stdout.write(`output: ${JSON.stringify(t.output)}\n`);
      }
      if (t?.state !== 'success') process.exitCode = EXIT.failure;
    });
}

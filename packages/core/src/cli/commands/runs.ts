import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { RUN_STATES, type RunState } from '../../states.js';
import { listRuns } from '../../store/runs.js';
import { colorState, formatDate, formatDuration, printJson, table } from '../format.js';
import { withRuntime } from '../runtime.js';

/** `sluice runs list`. */
export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('DAG runs');
  runs
    .command('list')
    .description('runs, newest logical date first')
    .option('--dag <dagId>', 'only this DAG')
    .option('--state <state>', `only this state (${RUN_STATES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'JSON output')
    .action(async (o: { dag?: string; state?: string; limit: string; json?: boolean }) => {
      if (o.state && !RUN_STATES.includes(o.state as RunState)) throw new ValidationError(`--state must be one of ${RUN_STATES.join(', ')}`, 'state');
      await withRuntime({}, async (rt) => {
        const list = await listRuns(rt.db.knex, { ...(o.dag ? { dagId: o.dag } : {}), ...(o.state ? { state: o.state as RunState } : {}), limit: Number(o.limit) });
        if (o.json) return printJson(list);
        process.stdout.write(
          `${table(
            ['DAG', 'RUN ID', 'TYPE', 'STATE', 'LOGICAL DATE', 'DURATION'],
            list.map((r) => [
              r.dagId,
              r.runId,
              r.runType,
              colorState(r.state),
              formatDate(r.logicalDate),
              formatDuration(r.startedAt && r.endedAt ? r.endedAt.getTime() - r.startedAt.getTime() : null),
            ]),
          )}\n`,
        );
      });
    });
}

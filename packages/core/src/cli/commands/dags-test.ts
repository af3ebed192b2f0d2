import type { Command } from 'commander';
import pc from 'picocolors';
import { DagFolder } from '../../loader/dag-folder.js';
import { createPinoLogger } from '../../logger.js';
import { testDag } from '../../testing/dag-test.js';
import { EXIT } from '../errors.js';
import { parseDateOption, parseJsonOption } from '../dag-lookup.js';
import { colorState, formatDuration, printJson, table } from '../format.js';
import { resolveDagsDir } from '../runtime.js';
import { NotFoundError } from '../../errors.js';
import { createConfiguredSecretsBackends, parseSecretsBackendsConfig } from '../../connections/configured-backends.js';

/** `sluice dags test`: one complete run in-process on a throwaway in-memory store. */
export function registerDagsTestCommand(dags: Command): void {
  dags
    .command('test <dagId>')
    .description('run one complete DAG run in this process on a throwaway in-memory store (no database, no daemon)')
    .option('--dags <dir>', 'DAG folder')
    .option('--date <date>', 'logical date (default now)')
    .option('--conf <json>', 'run params as JSON')
    .option('--logs', 'print every task log line')
    .option('--json', 'JSON output')
    .action(async (dagId: string, o: { dags?: string; date?: string; conf?: string; logs?: boolean; json?: boolean }) => {
      const dir = resolveDagsDir(o.dags);
      const folder = new DagFolder({ dir });
      await folder.scan();
      const dag = folder.get(dagId);
      if (!dag) {
        const errors = [...folder.importErrors().values()];
        throw new NotFoundError(`DAG '${dagId}' not found in ${dir}${errors.length ? `\nimport errors:\n  ${errors.join('\n  ')}` : ''}`);
      }
      const logicalDate = parseDateOption(o.date, '--date');
      const secretsBackends = await createConfiguredSecretsBackends(parseSecretsBackendsConfig(process.env.SLUICE_SECRETS_BACKENDS), process.cwd());
      const result = await testDag(dag, {
        secretsBackends,
        conf: parseJsonOption(o.conf, '--conf'),
        ...(logicalDate ? { logicalDate } : {}),
        dagsDir: dir,
        logger: createPinoLogger({ level: 'error' }),
      });
      if (o.json) {
        printJson(result);
      } else {
        process.stdout.write(`${pc.bold(result.dagId)} ${result.runId}\n`);
        process.stdout.write(
          `${table(
            ['TASK', 'MAP', 'STATE', 'TRIES', 'DURATION', 'ERROR'],
            result.tasks.map((t) => [t.taskId, t.mapIndex >= 0 ? String(t.mapIndex) : '', colorState(t.state), String(t.tryNumber), formatDuration(t.durationMs), t.error ?? '']),
          )}\n`,
        );
        if (o.logs) {
          for (const t of result.tasks) {
            for (const l of t.logs) {
              const fields = Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : '';
              process.stdout.write(`${pc.dim(`${t.taskId}${t.mapIndex >= 0 ? `[${t.mapIndex}]` : ''} try ${l.tryNumber}`)} ${l.level} ${l.message}${fields}\n`);
            }
          }
        }
        process.stdout.write(`run ${colorState(result.state)} in ${formatDuration(result.durationMs)}\n`);
      }
      if (result.state !== 'success') process.exitCode = EXIT.failure;
    });
}

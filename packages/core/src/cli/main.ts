/**
 * The `sluice` command line. Exit codes: 0 ok, 1 a run/task failed or an unexpected error, 2 bad input,
 * 3 not found, 4 metadata store or connection unreachable.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { registerConnectionCommands } from './commands/connections.js';
import { registerDagsCommands } from './commands/dags.js';
import { registerDbCommands } from './commands/db.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerSchedulerCommand } from './commands/scheduler.js';
import { registerTasksCommands } from './commands/tasks.js';
import { registerTokensCommands } from './commands/tokens.js';
import { registerWebserverCommand } from './commands/webserver.js';
import { registerVariableCommands } from './commands/variables.js';
import { registerWorkerCommand } from './commands/worker.js';
import { exitCodeFor } from './errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the CLI program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('Sluice: TypeScript DAGs with Airflow semantics')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  registerSchedulerCommand(program);
  registerWebserverCommand(program);
  registerTokensCommands(program);
  registerWorkerCommand(program);
  registerDbCommands(program);
  registerDagsCommands(program);
  registerTasksCommands(program);
  registerRunsCommands(program);
  registerConnectionCommands(program);
  registerVariableCommands(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const e = error as Error;
    process.stderr.write(`${pc.red('error')} ${e.message}\n`);
    if (process.env.SLUICE_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

await main();

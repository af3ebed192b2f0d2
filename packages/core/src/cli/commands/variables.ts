import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import { deleteVariable, listVariables, setVariable } from '../../connections/store-connections.js';
import { printJson, table } from '../format.js';
import { withRuntime } from '../runtime.js';

/** `sluice variables set|get|list|delete`. */
export function registerVariableCommands(program: Command): void {
  const v = program.command('variables').description('variables (metadata store; SLUICE_VAR_<NAME> in the environment wins)');
  v.command('set <key> <value>')
    .option('--description <text>')
    .action(async (key: string, value: string, o: { description?: string }) => {
      await withRuntime({}, async (rt) => {
        await setVariable(rt.db.knex, key, value, o.description);
        process.stdout.write(`variable ${key} saved\n`);
      });
    });
  v.command('get <key>')
    .description('resolve a variable through the backend chain')
    .option('--json', 'JSON output')
    .action(async (key: string, o: { json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const value = await rt.secrets.getVariable(key);
        if (value === undefined) throw new NotFoundError(`variable '${key}' not found`);
        if (o.json) return printJson({ key, value });
        process.stdout.write(`${value}\n`);
      });
    });
  v.command('list')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const list = await listVariables(rt.db.knex);
        if (o.json) return printJson(list);
        process.stdout.write(`${table(['KEY', 'VALUE', 'DESCRIPTION'], list.map((x) => [x.key, x.value.length > 60 ? `${x.value.slice(0, 57)}...` : x.value, x.description ?? '']))}\n`);
      });
    });
  v.command('delete <key>').action(async (key: string) => {
    await withRuntime({}, async (rt) => {
      if (!(await deleteVariable(rt.db.knex, key))) throw new NotFoundError(`variable '${key}' not found`);
      process.stdout.write(`variable ${key} deleted\n`);
    });
  });
}

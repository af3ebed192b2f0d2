import type { Command } from 'commander';
import { openDatabase, resolveDatabaseConfig } from '../../store/database.js';
import { migrate, pendingMigrations } from '../../store/migrate.js';
import { printJson } from '../format.js';

/** `sluice db migrate|check`. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('metadata store');
  db.command('migrate')
    .description('apply pending migrations (safe while other processes start)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const database = await openDatabase(resolveDatabaseConfig(process.env, process.cwd()));
      try {
        const { applied } = await migrate(database);
        if (o.json) printJson({ store: database.description, applied });
        else process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${database.description}\n` : `up to date: ${database.description}\n`);
      } finally {
        await database.close();
      }
    });
  db.command('check')
    .description('show the store and pending migrations')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const database = await openDatabase(resolveDatabaseConfig(process.env, process.cwd()));
      try {
        const pending = await pendingMigrations(database);
        if (o.json) printJson({ store: database.description, kind: database.kind, pending });
        else process.stdout.write(`${database.kind} ${database.description}: ${pending.length ? `pending ${pending.join(', ')}` : 'up to date'}\n`);
      } finally {
        await database.close();
      }
    });
}

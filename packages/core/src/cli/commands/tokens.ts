import type { Command } from 'commander';
import { NotFoundError, ValidationError } from '../../errors.js';
import { listApiTokens, revokeApiToken, type ApiRole } from '../../store/api-tokens.js';
import { formatDate, printJson, table } from '../format.js';
import { withRuntime } from '../runtime.js';

const ROLES: readonly ApiRole[] = ['admin', 'read-only'];

/** `sluice tokens create|list|revoke`: API bearer tokens (stored hashed; shown once on creation). */
export function registerTokensCommands(program: Command): void {
  const tokens = program.command('tokens').alias('users').description('API and web UI tokens (read-only or admin)');
  tokens
    .command('create')
    .description('create a token and print it once (it is stored hashed and cannot be shown again)')
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--role <role>', `${ROLES.join(' | ')}`, 'read-only')
    .option('--json', 'JSON output')
    .action(async (o: { name: string; role: string; json?: boolean }) => {
      if (!ROLES.includes(o.role as ApiRole)) throw new ValidationError(`--role must be one of ${ROLES.join(', ')}`, 'role');
      await withRuntime({}, async (rt) => {
        const { createApiToken } = await import('../../api/auth.js');
        const { token, record } = await createApiToken(rt.db.knex, { name: o.name, role: o.role as ApiRole });
        if (o.json) return printJson({ name: record.name, role: record.role, token });
        process.stdout.write(`${token}\n`);
        process.stderr.write(`token '${record.name}' (${record.role}) created; it is shown only now\n`);
      });
    });
  tokens
    .command('list')
    .description('tokens by name and role (never the tokens themselves)')
    .option('--all', 'include revoked tokens')
    .option('--json', 'JSON output')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const list = await listApiTokens(rt.db.knex, o.all ?? false);
        if (o.json) return printJson(list.map((t) => ({ name: t.name, role: t.role, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt })));
        process.stdout.write(
          `${table(
            ['NAME', 'ROLE', 'CREATED', 'LAST USED', ...(o.all ? ['REVOKED'] : [])],
            list.map((t) => [t.name, t.role, formatDate(t.createdAt), formatDate(t.lastUsedAt), ...(o.all ? [formatDate(t.revokedAt)] : [])]),
          )}\n`,
        );
      });
    });
  tokens
    .command('revoke <name>')
    .description('revoke the active token with this name (API calls and UI sessions using it stop working)')
    .action(async (name: string) => {
      await withRuntime({}, async (rt) => {
        if (!(await revokeApiToken(rt.db.knex, name))) throw new NotFoundError(`no active token named '${name}'`);
        process.stdout.write(`token ${name} revoked\n`);
      });
    });
}

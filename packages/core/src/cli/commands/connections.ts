import type { Command } from 'commander';
import { ValidationError, NotFoundError } from '../../errors.js';
import { parseConnectionJson, parseConnectionUri, formatConnectionUri } from '../../connections/connection-uri.js';
import { redactConnection } from '../../connections/redact.js';
import { deleteConnection, getStoredConnection, listConnections, setConnection } from '../../connections/store-connections.js';
import type { Connection } from '../../connections/types.js';
import { printJson, table } from '../format.js';
import { withRuntime } from '../runtime.js';

interface SetOptions {
  uri?: string;
  json?: string;
  type?: string;
  host?: string;
  port?: string;
  login?: string;
  password?: string;
  schema?: string;
  extra?: string;
}

function connectionFromOptions(id: string, o: SetOptions): Connection {
  if (o.uri) return parseConnectionUri(id, o.uri);
  if (o.json) return parseConnectionJson(id, o.json);
  if (!o.type) throw new ValidationError('give --uri, --json, or at least --type', 'type');
  let extra: unknown = {};
  if (o.extra) {
    try {
      extra = JSON.parse(o.extra);
    } catch {
      throw new ValidationError('--extra is not valid JSON', 'extra');
    }
  }
  return parseConnectionJson(id, {
    conn_type: o.type,
    host: o.host,
    port: o.port === undefined ? undefined : Number(o.port),
    login: o.login,
    password: o.password,
    schema: o.schema,
    extra,
  });
}

/** `sluice connections set|get|list|delete` (metadata store backend; passwords always redacted). */
export function registerConnectionCommands(program: Command): void {
  const c = program.command('connections').description('connections in the metadata store (passwords are never printed)');
  c.command('set <connId>')
    .description('create or replace a connection')
    .option('--uri <uri>', 'type://login:password@host:port/schema?k=v')
    .option('--json <json>', 'JSON with Airflow field names')
    .option('--type <type>', 'connection type')
    .option('--host <host>')
    .option('--port <port>')
    .option('--login <login>')
    .option('--password <password>', 'prefer --uri from an environment variable to keep it out of shell history')
    .option('--schema <schema>')
    .option('--extra <json>', 'extra JSON')
    .action(async (id: string, o: SetOptions) => {
      const connection = connectionFromOptions(id, o);
      await withRuntime({}, async (rt) => {
        await setConnection(rt.db.knex, connection);
        process.stdout.write(`connection ${id} saved (${connection.type})\n`);
      });
    });
  c.command('get <connId>')
    .description('show a connection (from the store or the environment), password redacted')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const found = (await getStoredConnection(rt.db.knex, id)) ?? (await rt.secrets.getConnection(id).catch(() => undefined));
        if (!found) throw new NotFoundError(`connection '${id}' not found`);
        const shown = redactConnection(found);
        if (o.json) return printJson(shown);
        process.stdout.write(`${formatConnectionUri(shown)}\n`);
      });
    });
  c.command('list')
    .description('connections in the metadata store')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      await withRuntime({}, async (rt) => {
        const list = (await listConnections(rt.db.knex)).map(redactConnection);
        if (o.json) return printJson(list);
        process.stdout.write(`${table(['ID', 'TYPE', 'HOST', 'PORT', 'LOGIN', 'SCHEMA'], list.map((x) => [x.id, x.type, x.host ?? '', x.port ? String(x.port) : '', x.login ?? '', x.schema ?? '']))}\n`);
      });
    });
  c.command('delete <connId>')
    .description('delete a connection from the metadata store')
    .action(async (id: string) => {
      await withRuntime({}, async (rt) => {
        if (!(await deleteConnection(rt.db.knex, id))) throw new NotFoundError(`connection '${id}' not found`);
        process.stdout.write(`connection ${id} deleted\n`);
      });
    });
}

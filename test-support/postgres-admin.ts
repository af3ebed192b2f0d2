import { openDatabase, type Database } from '../packages/core/src/store/database.js';

/**
 * Runs `fn` on a one-connection Database opened on the admin URL, closed afterwards. (Test support
 * reaches Postgres through @sluice/core only: `pg` is core's dependency, not the repo root's.)
 */
export async function withAdminDatabase<T>(adminUrl: string, fn: (knex: Database['knex']) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url: adminUrl, poolMax: 1 });
  try {
    return await fn(db.knex);
  } finally {
    await db.close();
  }
}

/** The server's `server_version_num` and `server_version`. */
export async function serverVersion(adminUrl: string): Promise<{ num: number; text: string }> {
  return withAdminDatabase(adminUrl, async (knex) => {
    const result = await knex.raw<{ rows: { num: string; text: string }[] }>(
      `select current_setting('server_version_num') as num, current_setting('server_version') as text`,
    );
    const row = result.rows[0];
    return { num: Number(row?.num), text: row?.text ?? 'unknown' };
  });
}

/** `CREATE DATABASE name TEMPLATE template`. */
export async function createDatabase(adminUrl: string, name: string, template: string): Promise<void> {
  await withAdminDatabase(adminUrl, (knex) => knex.raw('create database ?? template ??', [name, template]));
}

/** `DROP DATABASE IF EXISTS name WITH (FORCE)`: disconnects anything still connected. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminDatabase(adminUrl, (knex) => knex.raw('drop database if exists ?? with (force)', [name]));
}

/** Forbids new connections to a database (a template must have none while it is copied). */
export async function disallowConnections(adminUrl: string, name: string): Promise<void> {
  await withAdminDatabase(adminUrl, (knex) => knex.raw('alter database ?? allow_connections false', [name]));
}

/** The admin URL pointed at another database on the same server. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

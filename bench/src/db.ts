import pg from 'pg';

/** Base URL of the Postgres server every system uses (no database name). */
export const PG_BASE_URL = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

/** Redis used by BullMQ's default backend. */
export const REDIS = { host: process.env.BENCH_REDIS_HOST ?? '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT ?? 6379) };

const NAME = /^sluice_bench_[a-z0-9_]+$/;

/** The URL of database `name` on the bench server. */
export function databaseUrl(name: string): string {
  return `${PG_BASE_URL}/${name}`;
}

/** Runs `fn` with a client connected to the maintenance database `postgres`. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops (forcing off other sessions) and creates an empty benchmark database; returns its URL. */
export async function recreateDatabase(name: string): Promise<string> {
  if (!NAME.test(name)) throw new Error(`bench database names must match ${String(NAME)}: ${name}`);
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  return databaseUrl(name);
}

/** Drops a benchmark database if it exists. */
export async function dropDatabase(name: string): Promise<void> {
  if (!NAME.test(name)) throw new Error(`bench database names must match ${String(NAME)}: ${name}`);
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

/** Runs one query on a short-lived client of `url`. */
export async function queryOnce<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drops every benchmark database (`sluice_bench_*`) left on the server; returns their names. */
export async function dropAllBenchDatabases(): Promise<string[]> {
  return withAdminClient(async (c) => {
    const rows = (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'sluice\\_bench\\_%'`)).rows;
    const names = rows.map((r) => r.datname).filter((n) => NAME.test(n));
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return names;
  });
}

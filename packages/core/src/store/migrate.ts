import type { Knex } from 'knex';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { StoreError } from '../errors.js';
import type { Database } from './database.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Oldest Postgres major version the schema and queries support. */
export const MINIMUM_SERVER_VERSION_NUM = 130000;

/**
 * Key of the transaction-scoped advisory lock every migration transaction takes first ("sluice" in
 * ASCII, then 0x0001). Advisory locks are per database, so unrelated databases never contend.
 */
const MIGRATION_LOCK_KEY = '8317151707346042881';

const MIGRATIONS_TABLE = 'sluice_migrations';

/**
 * Applies every migration the database lacks, oldest first, and returns the names applied.
 *
 * Safe when several processes start at once: each migration runs in its own transaction that first takes
 * `pg_advisory_xact_lock`, then re-checks whether it is still needed. No session-level lock is held, so
 * it works behind PgBouncer in transaction pooling mode. Refuses (StoreError) a server older than
 * Postgres 13 and a database already migrated by a newer Sluice.
 */
export async function migrate(db: Database): Promise<{ applied: string[] }> {
  await checkServerVersion(db);
  const pending = await pendingMigrations(db);
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (!pending.includes(migration.name)) continue;
    if (await applyMigration(db, migration)) applied.push(migration.name);
  }
  return { applied };
}

/**
 * Names of the migrations this code knows and the database has not applied, oldest first.
 * Throws StoreError when the database has a migration this code does not know (a newer Sluice ran).
 */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const applied = await readAppliedMigrations(db.knex, db.description);
  return MIGRATIONS.filter((m) => !applied.has(m.name)).map((m) => m.name);
}

async function checkServerVersion(db: Database): Promise<void> {
  const result = await db.knex.raw<{ rows: { version_num: string; version: string }[] }>(
    `select current_setting('server_version_num') as version_num, current_setting('server_version') as version`,
  );
  const row = result.rows[0];
  const versionNum = Number(row?.version_num);
  if (!Number.isInteger(versionNum) || versionNum < MINIMUM_SERVER_VERSION_NUM) {
    throw new StoreError(
      `Sluice needs PostgreSQL 13 or newer; ${db.description} runs ${row?.version ?? 'an unknown version'}`,
    );
  }
}

/** Applies one migration unless another process already did; true when this call applied it. */
async function applyMigration(db: Database, migration: Migration): Promise<boolean> {
  try {
    return await db.knex.transaction(async (trx) => {
      await trx.raw(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      if (db.schema) await trx.raw('create schema if not exists ??', [db.schema]);
      await trx.raw(
        `create table if not exists ${MIGRATIONS_TABLE} (name text primary key, applied_at timestamptz not null default now())`,
      );
      const applied = await readAppliedMigrations(trx, db.description);
      if (applied.has(migration.name)) return false;
      await executeScript(trx, db.kind, migration.sql);
      await trx(MIGRATIONS_TABLE).insert({ name: migration.name });
      return true;
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`Migration ${migration.name} failed on ${db.description}: ${reason}`, { cause: error });
  }
}

async function readAppliedMigrations(knex: Knex, description: string): Promise<Set<string>> {
  const exists = await knex.raw<{ rows: { regclass_name: string | null }[] }>(`select to_regclass(?)::text as regclass_name`, [
    MIGRATIONS_TABLE,
  ]);
  if (!exists.rows[0]?.regclass_name) return new Set();
  const rows: { name: string }[] = await knex(MIGRATIONS_TABLE).select('name');
  const names = new Set(rows.map((r) => r.name));
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const unknown = [...names].filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new StoreError(
      `${description} was migrated by a newer Sluice (unknown migrations: ${unknown.join(', ')}); upgrade Sluice to use it`,
    );
  }
  return names;
}

/**
 * Runs a multi-statement script on the transaction's own connection with the simple query protocol,
 * bypassing knex's `?` placeholder rewriting (PGlite's `query` accepts only one statement).
 */
async function executeScript(trx: Knex.Transaction, kind: Database['kind'], sql: string): Promise<void> {
  const connection: unknown = await trx.client.acquireConnection();
  if (kind === 'pglite') {
    await (connection as PGlite).exec(sql);
  } else {
    await (connection as pg.Client).query(sql);
  }
}

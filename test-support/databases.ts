/// <reference path="./vitest.d.ts" />
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, type Database, type DatabaseKind } from '../packages/core/src/store/database.js';
import { migrate } from '../packages/core/src/store/migrate.js';
import { TEST_ENV } from './env.js';
import { createDatabase, databaseUrl, dropDatabase } from './postgres-admin.js';

/** A database created for one test file (or one test); `drop()` closes and deletes it. */
export interface TestDatabase {
  readonly db: Database;
  /** Connection URL (Postgres only), for opening more Database objects or handing to a child process. */
  readonly url?: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply the migrations (default true). When false the database is empty. */
  migrate?: boolean;
}

const ALL_BACKENDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

/** The backends store suites run against: both, or the subset named in `SLUICE_TEST_BACKENDS`. */
export const BACKENDS: DatabaseKind[] = selectBackends(process.env[TEST_ENV.backends]);

/**
 * A fresh database. Postgres: `CREATE DATABASE sluice_test_<pid>_<random>` on the test server, copied from
 * the migrated template when global setup built one. PGlite: a new in-memory instance.
 */
export async function createTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const wantMigrated = options.migrate ?? true;
  return kind === 'postgres' ? createPostgresTestDatabase(wantMigrated) : createPgliteTestDatabase(wantMigrated);
}

/**
 * `describe.each` over {@link BACKENDS}: each block gets its own fresh, migrated database, created in
 * `beforeAll` and dropped in `afterAll`. Call `getDb()` inside hooks and tests, not at collection time.
 */
export function describeEachBackend(
  name: string,
  fn: (getDb: () => Database, kind: DatabaseKind) => void,
): void {
  describe.each(BACKENDS)(`${name} [%s]`, (kind) => {
    let testDb: TestDatabase | undefined;
    beforeAll(async () => {
      testDb = await createTestDatabase(kind);
    });
    afterAll(async () => {
      await testDb?.drop();
      testDb = undefined;
    });
    fn(() => {
      if (!testDb) throw new Error('getDb() called outside a test or hook: the database does not exist yet');
      return testDb.db;
    }, kind);
  });
}

async function createPostgresTestDatabase(wantMigrated: boolean): Promise<TestDatabase> {
  const adminUrl = provided('sluiceTestPostgresUrl', TEST_ENV.adminUrl);
  if (!adminUrl) {
    throw new Error(
      `No test Postgres: run the tests through vitest (global setup provides it) or set ${TEST_ENV.adminUrl}`,
    );
  }
  const template = wantMigrated ? provided('sluiceTestPostgresTemplate', TEST_ENV.postgresTemplate) : '';
  const name = `sluice_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  await createDatabase(adminUrl, name, template || 'template0');
  const url = databaseUrl(adminUrl, name);
  let db: Database | undefined;
  try {
    db = await openDatabase({ url, poolMax: 5 });
    if (wantMigrated) await migrate(db);
  } catch (error) {
    await db?.close();
    await dropDatabase(adminUrl, name).catch(() => undefined);
    throw error;
  }
  const opened = db;
  let dropping: Promise<void> | undefined;
  return {
    db: opened,
    url,
    drop() {
      dropping ??= opened.close().then(() => dropDatabase(adminUrl, name));
      return dropping;
    },
  };
}

async function createPgliteTestDatabase(wantMigrated: boolean): Promise<TestDatabase> {
  const db = await openDatabase({ memory: true });
  try {
    if (wantMigrated) await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { db, drop: () => db.close() };
}

function provided(key: 'sluiceTestPostgresUrl' | 'sluiceTestPostgresTemplate', envName: string): string {
  let value: string | undefined;
  try {
    value = inject(key);
  } catch {
    value = undefined;
  }
  return value || process.env[envName] || '';
}

function selectBackends(setting: string | undefined): DatabaseKind[] {
  if (!setting?.trim()) return [...ALL_BACKENDS];
  const chosen = setting.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = chosen.filter((s) => !ALL_BACKENDS.includes(s as DatabaseKind));
  if (unknown.length > 0) {
    throw new Error(`${TEST_ENV.backends} names unknown backends: ${unknown.join(', ')} (known: ${ALL_BACKENDS.join(', ')})`);
  }
  return ALL_BACKENDS.filter((kind) => chosen.includes(kind));
}

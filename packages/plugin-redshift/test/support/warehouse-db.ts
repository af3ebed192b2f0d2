/**
 * A fresh, empty Postgres database per test file, used as the warehouse (the `postgres` dialect), on the
 * server the global setup provides (the local one or an embedded Postgres). Plus a task context that
 * resolves the warehouse connection and records asset events.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { TEST_ENV } from '../../../../test-support/env.js';
import { createDatabase, dropDatabase } from '../../../../test-support/postgres-admin.js';
import { DEFAULT_WAREHOUSE_CONNECTION_ID, WarehouseHook } from '../../src/index.js';
import type { Connection } from '@sluice/core';
import { fakeContext, type RecordingContext } from '../../../plugin-aws/test/fake-context.js';

export type { RecordingContext };
/** Options of {@link contextFor}: logical date `ds` (`YYYY-MM-DD`), params, abort signal. */
export type ContextOptions = NonNullable<Parameters<typeof fakeContext>[1]>;
/** A task context resolving the given connections (plugin-aws's test context: templates render with the core's renderer, asset events are recorded). */
export const contextFor = fakeContext;

/** A warehouse database for one test file. */
export interface WarehouseDb {
  /** Database name (`sluice_wh_<pid>_<random>`). */
  readonly name: string;
  /** A `postgres` connection to it, with id `redshift_default`. */
  readonly connection: Connection;
  /** A hook for arranging and inspecting data in tests (closed by `drop()`). */
  readonly hook: WarehouseHook;
  /** Closes the hook and drops the database (disconnecting anything left). */
  drop(): Promise<void>;
}

/** The admin URL of the test server (the global setup exports it to every worker, embedded Postgres included). */
export function adminUrl(): string {
  const url = process.env[TEST_ENV.adminUrl] ?? '';
  if (!url) throw new Error(`No test Postgres: run the tests through vitest (global setup provides it) or set ${TEST_ENV.adminUrl}`);
  return url;
}

/** A `postgres` connection to `database` on the test server, parsed from the admin URL. */
export function warehouseConnection(database: string, id = DEFAULT_WAREHOUSE_CONNECTION_ID): Connection {
  const url = new URL(adminUrl());
  return {
    id,
    type: 'postgres',
    host: url.hostname,
    port: Number(url.port || 5432),
    login: decodeURIComponent(url.username),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    schema: database,
    extra: {},
  };
}

/** Creates an empty database (from `template0`) and a hook on it. */
export async function createWarehouseDb(): Promise<WarehouseDb> {
  const admin = adminUrl();
  const name = `sluice_wh_${process.pid}_${randomBytes(5).toString('hex')}`;
  await createDatabase(admin, name, 'template0');
  const connection = warehouseConnection(name);
  const hook = await WarehouseHook.fromContext(contextFor([connection]), connection.id, { poolMax: 2 });
  let dropping: Promise<void> | undefined;
  return {
    name,
    connection,
    hook,
    drop() {
      dropping ??= hook.close().then(() => dropDatabase(admin, name));
      return dropping;
    },
  };
}

/** {@link createWarehouseDb} in `beforeAll`, dropped in `afterAll`; call the getter inside hooks and tests. */
export function useWarehouseDb(): () => WarehouseDb {
  let db: WarehouseDb | undefined;
  beforeAll(async () => {
    db = await createWarehouseDb();
  });
  afterAll(async () => {
    await db?.drop();
    db = undefined;
  });
  return () => {
    if (!db) throw new Error('the warehouse database exists only inside hooks and tests');
    return db;
  };
}

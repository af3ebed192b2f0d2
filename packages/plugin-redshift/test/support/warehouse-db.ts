/**
 * A fresh, empty Postgres database per test file, used as the warehouse (the `postgres` dialect), on the
 * server the global setup provides (the local one or an embedded Postgres). Plus a task context that
 * resolves the warehouse connection and records asset events.
 */
import { randomBytes } from 'node:crypto';
import {
  NotFoundError,
  buildTemplateVariables,
  renderTemplate,
  silentLogger,
  unavailableCatalog,
  type Connection,
  type TaskContext,
} from '@sluice/core';
import { afterAll, beforeAll } from 'vitest';
import { TEST_ENV } from '../../../../test-support/env.js';
import { createDatabase, dropDatabase } from '../../../../test-support/postgres-admin.js';
import { DEFAULT_WAREHOUSE_CONNECTION_ID, WarehouseHook } from '../../src/index.js';

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

/** A task context plus the asset events recorded through it. */
export interface RecordingContext extends TaskContext {
  assetEvents: { uri: string; metadata: Record<string, unknown> }[];
}

/** Options of {@link contextFor}. */
export interface ContextOptions {
  /** Logical date as `YYYY-MM-DD`. Default `2026-01-01` (a daily interval). */
  ds?: string;
  params?: Record<string, unknown>;
  signal?: AbortSignal;
}

/** A task context resolving the given connections; templates render with the core's renderer. */
export function contextFor(connections: Connection[], options: ContextOptions = {}): RecordingContext {
  const logicalDate = new Date(`${options.ds ?? '2026-01-01'}T00:00:00Z`);
  const byId = new Map(connections.map((c) => [c.id, c]));
  const base = {
    dagId: 'd',
    runId: 'scheduled__2026-01-01T00:00:00+00:00',
    taskId: 't',
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: new Date(logicalDate.getTime() + 86_400_000),
    params: options.params ?? {},
  };
  const assetEvents: RecordingContext['assetEvents'] = [];
  return {
    ...base,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    triggeringAssetEvents: [],
    signal: options.signal ?? new AbortController().signal,
    log: silentLogger,
    assetEvents,
    getConnection: async (id) => {
      const c = byId.get(id);
      if (!c) throw new NotFoundError(`connection '${id}' not found`);
      return c;
    },
    getVariable: async () => undefined,
    render: (template) => renderTemplate(template, buildTemplateVariables(base), { variable: async () => undefined }),
    previousOutput: async () => undefined,
    catalog: unavailableCatalog,
    recordAssetEvent: (uri, metadata = {}) => void assetEvents.push({ uri, metadata }),
  };
}

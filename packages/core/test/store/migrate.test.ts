import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrate, pendingMigrations } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../../../test-support/databases.js';

const ALL_NAMES = MIGRATIONS.map((m) => m.name);

const EXPECTED_TABLES = [
  'sluice_migrations',
  'sluice_dags',
  'sluice_import_errors',
  'sluice_dag_versions',
  'sluice_backfills',
  'sluice_dag_runs',
  'sluice_pools',
  'sluice_task_instances',
  'sluice_attempts',
  'sluice_log_lines',
  'sluice_outputs',
  'sluice_asset_events',
  'sluice_asset_cursors',
  'sluice_variables',
  'sluice_connections',
  'sluice_processes',
  'sluice_catalog_tables',
  'sluice_catalog_table_versions',
  'sluice_api_tokens',
];

describe('MIGRATIONS', () => {
  it('are numbered, unique and in order', () => {
    expect(ALL_NAMES.length).toBeGreaterThan(0);
    for (const name of ALL_NAMES) expect(name).toMatch(/^\d{3}_[a-z0-9_]+$/);
    expect([...ALL_NAMES].sort()).toEqual(ALL_NAMES);
    expect(new Set(ALL_NAMES.map((n) => n.slice(0, 3))).size).toBe(ALL_NAMES.length);
  });
});

describe('migrate: server version', () => {
  it('refuses a server older than PostgreSQL 13', async () => {
    const raw = async () => ({ rows: [{ version_num: '120022', version: '12.22' }] });
    const fake: Database = {
      knex: { raw } as unknown as Knex,
      kind: 'postgres',
      description: 'postgres://old-server/meta',
      close: async () => undefined,
    };
    await expect(migrate(fake)).rejects.toThrow(/PostgreSQL 13 or newer.*12\.22/);
    await expect(migrate(fake)).rejects.toBeInstanceOf(StoreError);
  });
});

describe.each(BACKENDS)('migrate [%s]', (kind) => {
  let cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });
  const freshDatabase = async (): Promise<TestDatabase> => {
    const testDb = await createTestDatabase(kind, { migrate: false });
    cleanups.push(() => testDb.drop());
    return testDb;
  };

  it('applies every migration once; a second call applies nothing', async () => {
    const { db } = await freshDatabase();
    expect(await pendingMigrations(db)).toEqual(ALL_NAMES);
    expect(await migrate(db)).toEqual({ applied: ALL_NAMES });
    expect(await pendingMigrations(db)).toEqual([]);
    expect(await migrate(db)).toEqual({ applied: [] });

    const recorded: { name: string; applied_at: Date }[] = await db.knex('sluice_migrations').select('*').orderBy('name');
    expect(recorded.map((r) => r.name)).toEqual(ALL_NAMES);
    expect(recorded[0]?.applied_at).toBeInstanceOf(Date);
  });

  it('creates every table, and the seeded default pool', async () => {
    const { db } = await freshDatabase();
    await migrate(db);
    for (const table of EXPECTED_TABLES) {
      const result = await db.knex.raw<{ rows: { found: string | null }[] }>('select to_regclass(?)::text as found', [table]);
      expect(result.rows[0]?.found, table).toBe(table);
    }
    expect(await db.knex('sluice_pools').select('name', 'slots')).toEqual([{ name: 'default_pool', slots: 128 }]);
  });

  it('enforces one run per (dag_id, logical_date)', async () => {
    const { db } = await freshDatabase();
    await migrate(db);
    await db.knex('sluice_dags').insert({ dag_id: 'etl' });
    const run = {
      dag_id: 'etl',
      logical_date: new Date('2026-01-01T00:00:00Z'),
      data_interval_start: new Date('2026-01-01T00:00:00Z'),
      data_interval_end: new Date('2026-01-02T00:00:00Z'),
      run_type: 'scheduled',
      state: 'queued',
      version_hash: 'abc',
    };
    await db.knex('sluice_dag_runs').insert({ ...run, run_id: 'scheduled__2026-01-01' });
    const error = await db.knex('sluice_dag_runs')
      .insert({ ...run, run_id: 'manual__2026-01-01' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505' });
    expect((error as Error).message).toMatch(/sluice_dag_runs_dag_id_logical_date_key/);
  });

  it('refuses a database migrated by a newer Sluice', async () => {
    const { db } = await freshDatabase();
    await migrate(db);
    await db.knex('sluice_migrations').insert({ name: '999_from_the_future' });
    await expect(migrate(db)).rejects.toThrow(StoreError);
    await expect(migrate(db)).rejects.toThrow(/newer Sluice.*999_from_the_future/);
    await expect(pendingMigrations(db)).rejects.toThrow(/999_from_the_future/);
  });

  it('creates the configured schema and keeps every table in it', async () => {
    let db: Database;
    if (kind === 'postgres') {
      const { url } = await freshDatabase();
      db = await openDatabase({ url: url ?? '', schema: 'sluice_alt', poolMax: 2 });
    } else {
      db = await openDatabase({ memory: true, schema: 'sluice_alt' });
    }
    cleanups.push(() => db.close());
    expect(db.schema).toBe('sluice_alt');
    expect(await migrate(db)).toEqual({ applied: ALL_NAMES });
    const tables = await db.knex.raw<{ rows: { table_schema: string; n: number }[] }>(
      `select table_schema, count(*)::int as n from information_schema.tables
        where table_name like 'sluice\\_%' group by table_schema`,
    );
    expect(tables.rows).toEqual([{ table_schema: 'sluice_alt', n: EXPECTED_TABLES.length }]);
  });
});

describe.runIf(BACKENDS.includes('postgres'))('migrate [postgres]: concurrent starts', () => {
  const handles: Database[] = [];
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((db) => db.close()));
    await testDb?.drop();
    testDb = undefined;
  });

  it('five processes migrating one fresh database apply each migration exactly once', async () => {
    testDb = await createTestDatabase('postgres', { migrate: false });
    const url = testDb.url ?? '';
    for (let i = 0; i < 5; i++) handles.push(await openDatabase({ url, poolMax: 2 }));

    const results = await Promise.all(handles.map((db) => migrate(db)));

    expect(results.flatMap((r) => r.applied).sort()).toEqual([...ALL_NAMES].sort());
    const counts: { name: string; n: number }[] = await testDb.db
      .knex('sluice_migrations')
      .select('name')
      .count<{ name: string; n: number }[]>('* as n')
      .groupBy('name')
      .orderBy('name');
    expect(counts).toEqual(ALL_NAMES.map((name) => ({ name, n: 1 })));
  });
});

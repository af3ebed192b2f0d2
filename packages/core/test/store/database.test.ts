import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import {
  openDatabase,
  openDatabaseCount,
  redactUrl,
  resolveDatabaseConfig,
  type Database,
} from '../../src/store/database.js';
import { describeEachBackend } from '../../../../test-support/databases.js';

describe('resolveDatabaseConfig', () => {
  it('prefers SLUICE_DATABASE_URL over DATABASE_URL', () => {
    const env = { SLUICE_DATABASE_URL: 'postgres://a/one', DATABASE_URL: 'postgres://b/two' };
    expect(resolveDatabaseConfig(env, '/project')).toEqual({ url: 'postgres://a/one' });
  });

  it('falls back to DATABASE_URL', () => {
    expect(resolveDatabaseConfig({ DATABASE_URL: 'postgres://b/two' }, '/project')).toEqual({ url: 'postgres://b/two' });
  });

  it('uses PGlite under <projectDir>/.sluice/pglite when no URL is set (empty values count as unset)', () => {
    expect(resolveDatabaseConfig({ SLUICE_DATABASE_URL: '', DATABASE_URL: '  ' }, '/project')).toEqual({
      pgliteDir: join('/project', '.sluice', 'pglite'),
    });
  });

  it('passes SLUICE_DATABASE_SCHEMA through', () => {
    expect(resolveDatabaseConfig({ DATABASE_URL: 'postgres://b/two', SLUICE_DATABASE_SCHEMA: 'etl' }, '/p')).toEqual({
      url: 'postgres://b/two',
      schema: 'etl',
    });
  });
});

describe('redactUrl', () => {
  it('replaces the password', () => {
    expect(redactUrl('postgres://sluice:hunter2@db.example.com:5432/meta')).toBe(
      'postgres://sluice:***@db.example.com:5432/meta',
    );
  });

  it('replaces password query parameters', () => {
    const redacted = redactUrl('postgres://db.example.com/meta?sslmode=require&password=hunter2');
    expect(redacted).not.toContain('hunter2');
    expect(redacted).toContain('sslmode=require');
  });

  it('leaves a URL without a password alone', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('redacts unparsable URLs too', () => {
    expect(redactUrl('postgres://u:hunter2@[bad/db')).not.toContain('hunter2');
  });
});

describe('openDatabase', () => {
  let opened: Database[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    opened = [];
    dirs = [];
  });
  const track = (db: Database): Database => {
    opened.push(db);
    return db;
  };

  it('opens and closes a Postgres database, tracking it while open', async () => {
    const before = openDatabaseCount();
    const db = track(await openDatabase({ url: inject('sluiceTestPostgresUrl') }));
    expect(db.kind).toBe('postgres');
    expect(openDatabaseCount()).toBe(before + 1);
    expect(db.description).toBe(redactUrl(inject('sluiceTestPostgresUrl')));
    const result = await db.knex.raw<{ rows: { one: number }[] }>('select 1 as one');
    expect(result.rows[0]?.one).toBe(1);
    await db.close();
    await db.close();
    expect(openDatabaseCount()).toBe(before);
  });

  it('opens an in-memory PGlite database', async () => {
    const db = track(await openDatabase({ memory: true }));
    expect(db.kind).toBe('pglite');
    expect(db.description).toBe('pglite (in memory)');
    const result = await db.knex.raw<{ rows: { one: number }[] }>('select 1 as one');
    expect(result.rows[0]?.one).toBe(1);
  });

  it('creates a missing PGlite directory and keeps data across reopen', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-db-test-'));
    dirs.push(root);
    const dir = join(root, 'nested', 'pglite');
    const first = track(await openDatabase({ pgliteDir: dir }));
    expect(first.description).toBe(`pglite ${dir}`);
    await first.knex.raw('create table kept (v text)');
    await first.knex('kept').insert({ v: 'still here' });
    await first.close();
    expect((await stat(dir)).isDirectory()).toBe(true);

    const second = track(await openDatabase({ pgliteDir: dir }));
    expect(await second.knex('kept').select('v')).toEqual([{ v: 'still here' }]);
  });

  it('wraps a refused connection in a StoreError that names the target but not the password', async () => {
    const before = openDatabaseCount();
    const error = await openDatabase({ url: 'postgres://sluice:Sup3r-Secret@127.0.0.1:1/meta' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as Error).message;
    expect(message).toContain('postgres://sluice:***@127.0.0.1:1/meta');
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('Sup3r-Secret');
    expect(openDatabaseCount()).toBe(before);
  });

  it('wraps an authentication failure without leaking the password', async () => {
    const url = new URL(inject('sluiceTestPostgresUrl'));
    url.username = 'sluice_no_such_role';
    url.password = 'Sup3r-Secret';
    const error = await openDatabase({ url: url.toString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('sluice_no_such_role:***@');
    expect((error as Error).message).not.toContain('Sup3r-Secret');
  });

  it('rejects a malformed URL without echoing the password', async () => {
    const error = await openDatabase({ url: 'postgres://u:Sup3r-Secret@[bad/meta' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).not.toContain('Sup3r-Secret');
  });

  it('rejects an invalid schema name before connecting', async () => {
    await expect(openDatabase({ memory: true, schema: 'bad"; drop' })).rejects.toThrow(StoreError);
    await expect(openDatabase({ url: 'postgres://x@127.0.0.1:1/x', schema: '1abc' })).rejects.toThrow(/Invalid schema name/);
  });

  it('refuses an empty configuration', async () => {
    await expect(openDatabase({})).rejects.toThrow(/No database configured/);
  });
});

describeEachBackend('value parsing', (getDb) => {
  it('reads timestamptz as Date, jsonb as objects, int8 as number (bigint past 2^53)', async () => {
    const result = await getDb().knex.raw<{ rows: Record<string, unknown>[] }>(
      `select 42::int8 as small, 9007199254740993::int8 as big, array[1, null, 3]::int8[] as ids,
              '2026-01-02T03:04:05Z'::timestamptz as at, '{"a":[1]}'::jsonb as doc, 1.5::numeric as num,
              array['x','y']::text[] as tags`,
    );
    expect(result.rows[0]).toEqual({
      small: 42,
      big: 9007199254740993n,
      ids: [1, null, 3],
      at: new Date('2026-01-02T03:04:05Z'),
      doc: { a: [1] },
      num: '1.5',
      tags: ['x', 'y'],
    });
  });
});

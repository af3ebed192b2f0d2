import { describe, expect, it } from 'vitest';
import {
  WarehouseConnectionError,
  WarehouseError,
  WarehouseHook,
  WarehouseQueryError,
  resolveWarehouseConnection,
} from '../src/index.js';
import { contextFor, useWarehouseDb, warehouseConnection } from './support/warehouse-db.js';

describe('WarehouseHook on a real Postgres database', () => {
  const wh = useWarehouseDb();

  it('runs a query with bound values and reports rows, rowCount and command', async () => {
    const result = await wh().hook.query<{ n: number; s: string }>('SELECT $1::int + 1 AS n, $2::text AS s', [41, "'; DROP TABLE x; --"]);
    expect(result).toEqual({ rows: [{ n: 42, s: "'; DROP TABLE x; --" }], rowCount: 1, command: 'SELECT' });
    expect(wh().hook.dialect).toBe('postgres');
    expect(wh().hook.connectionId).toBe('redshift_default');
  });

  it('commits a transaction, and rolls it back when the callback throws', async () => {
    const { hook } = wh();
    await hook.query('CREATE TABLE tx_test (id int PRIMARY KEY)');
    const committed = await hook.transaction(async (db) => {
      await db.query('INSERT INTO tx_test VALUES ($1), ($2)', [1, 2]);
      return 'done';
    });
    expect(committed).toBe('done');
    const failure = hook.transaction(async (db) => {
      await db.query('INSERT INTO tx_test VALUES ($1)', [3]);
      await db.query('INSERT INTO tx_test VALUES ($1)', [1]);
    });
    await expect(failure).rejects.toThrow(WarehouseQueryError);
    await expect(failure).rejects.toMatchObject({ code: '23505', name: 'WarehouseQueryError', detail: 'Key (id)=(1) already exists.' });
    await expect(failure).rejects.toThrow(/duplicate key value violates unique constraint .*\(SQLSTATE 23505\)/);
    const rows = await hook.query<{ id: number }>('SELECT id FROM tx_test ORDER BY id');
    expect(rows.rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('keeps SQLSTATE and position of a syntax error, never the bound values', async () => {
    const error = await wh().hook.query('SELECT FROM WHERE $1', ['value-not-in-message']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseQueryError);
    expect(error).toMatchObject({ code: '42601', position: 13 });
    expect((error as Error).message).not.toContain('value-not-in-message');
  });

  it('withClient gives one connection without a transaction', async () => {
    const pids = await wh().hook.withClient(async (db) => {
      const a = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const b = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const inTx = await db.query<{ now: string; stmt: string }>('SELECT now()::text AS now, statement_timestamp()::text AS stmt');
      expect(db.raw).toBeDefined();
      expect(db.dialect).toBe('postgres');
      return [a.rows[0]?.pid, b.rows[0]?.pid, inTx.rows[0]?.now === inTx.rows[0]?.stmt];
    });
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).toBe(true);
  });

  it('tableExists and columns (ordinal order, types, lengths, nullability), with and without a schema', async () => {
    const { hook } = wh();
    await hook.query('CREATE SCHEMA staging');
    await hook.query('CREATE TABLE staging."Events" (id bigint NOT NULL, name varchar(40), payload text, dt date)');
    expect(await hook.tableExists({ schema: 'staging', table: 'Events' })).toBe(true);
    expect(await hook.tableExists({ schema: 'staging', table: 'events' })).toBe(false);
    expect(await hook.tableExists({ table: 'Events' })).toBe(false);
    expect(await hook.tableExists({ table: 'tx_test' })).toBe(true);
    expect(await hook.tableExists({ schema: 'public', table: 'tx_test' })).toBe(true);
    expect(await hook.columns({ schema: 'staging', table: 'Events' })).toEqual([
      { name: 'id', dataType: 'bigint', maxLength: null, nullable: false },
      { name: 'name', dataType: 'character varying', maxLength: 40, nullable: true },
      { name: 'payload', dataType: 'text', maxLength: null, nullable: true },
      { name: 'dt', dataType: 'date', maxLength: null, nullable: true },
    ]);
    expect(await hook.columns({ table: 'missing' })).toEqual([]);
  });

  it('assetUri names dialect, host, port, database, schema and table, never credentials', () => {
    const { hook, connection, name } = wh();
    expect(hook.assetUri({ table: 'events' })).toBe(`postgres://${connection.host}:${connection.port}/${name}/public.events`);
    expect(hook.assetUri({ schema: 'staging', table: 'My Events' })).toBe(`postgres://${connection.host}:${connection.port}/${name}/staging.My%20Events`);
    if (connection.password) expect(hook.assetUri({ table: 'x' })).not.toContain(connection.password);
    expect(hook.assetUri({ table: 'x' })).not.toContain(`${connection.login}@`);
  });

  it('a redshift connection gives redshift:// asset URIs', async () => {
    const settings = await resolveWarehouseConnection(async () => ({
      ...warehouseConnection('dev'),
      type: 'redshift',
      host: 'Cluster.Example.com',
      port: undefined,
    }));
    const hook = new WarehouseHook(settings);
    try {
      expect(hook.assetUri({ schema: 'analytics', table: 'posts' })).toBe('redshift://cluster.example.com:5439/dev/analytics.posts');
    } finally {
      await hook.close();
    }
  });

  it('applies application_name and statement_timeout from the connection extra', async () => {
    const connection = { ...wh().connection, extra: { application_name: 'sluice-hook-test', statement_timeout: '200ms' } };
    const hook = await WarehouseHook.fromContext(contextFor([connection]));
    try {
      const settings = await hook.query<{ app: string; timeout: string }>(
        `SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout`,
      );
      expect(settings.rows).toEqual([{ app: 'sluice-hook-test', timeout: '200ms' }]);
      await expect(hook.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ name: 'WarehouseQueryError', code: '57014' });
    } finally {
      await hook.close();
    }
  });

  it('never shows the password when logged or serialised', async () => {
    const { inspect } = await import('node:util');
    const hook = new WarehouseHook({ ...(await resolveWarehouseConnection(async () => wh().connection)), password: 'Hidden-Pw-123' });
    try {
      expect(JSON.stringify(hook)).not.toContain('Hidden-Pw-123');
      expect(inspect(hook, { depth: 10 })).not.toContain('Hidden-Pw-123');
      expect(hook.toJSON()).toMatchObject({ connectionId: 'redshift_default', dialect: 'postgres', database: wh().name });
    } finally {
      await hook.close();
    }
  });

  it('close ends the pool: no connection left, later use refused, closing twice is fine', async () => {
    const hook = await WarehouseHook.fromContext(contextFor([wh().connection]));
    await hook.query('SELECT 1');
    expect(hook.openConnections).toBe(1);
    await hook.close();
    expect(hook.openConnections).toBe(0);
    await hook.close();
    await expect(hook.query('SELECT 1')).rejects.toThrow(WarehouseError);
    await expect(hook.query('SELECT 1')).rejects.toThrow(`hook for connection 'redshift_default' is closed`);
  });

  it('connection failures are WarehouseConnectionErrors without the password', async () => {
    const connection = { ...wh().connection, login: 'no_such_user_x', password: 'Sup3r-Secret-Pw' };
    const hook = await WarehouseHook.fromContext(contextFor([connection]));
    try {
      const error = await hook.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WarehouseConnectionError);
      expect((error as Error).message).toMatch(/^connection 'redshift_default': cannot use postgres /);
      expect((error as Error).message).not.toContain('Sup3r-Secret-Pw');
    } finally {
      await hook.close();
    }
    const refused = new WarehouseHook({ ...(await resolveWarehouseConnection(async () => connection)), port: 1 }, { connectionTimeoutMs: 2000 });
    try {
      const error = await refused.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WarehouseConnectionError);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect((error as Error).message).not.toContain('Sup3r-Secret-Pw');
    } finally {
      await refused.close();
    }
  });
});

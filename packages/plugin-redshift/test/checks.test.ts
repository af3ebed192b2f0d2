import { ValidationError, type TaskContext } from '@sluice/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DataQualityError,
  WarehouseIdentifierError,
  notNullCheck,
  notNullSql,
  rowCountCheck,
  rowCountSql,
  scopeFilter,
  uniqueKeyCheck,
  uniqueKeySql,
} from '../src/index.js';
import { contextFor, useWarehouseDb } from './support/warehouse-db.js';

async function failure(promise: Promise<unknown>): Promise<DataQualityError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataQualityError);
  return error as DataQualityError;
}

describe('scopeFilter', () => {
  const interval = { dataIntervalStart: new Date('2026-01-01T00:00:00Z'), dataIntervalEnd: new Date('2026-01-02T00:00:00Z') };

  it('binds the partition value and the data interval; quotes the columns', () => {
    expect(scopeFilter({ table: 'a.b', partitionColumn: 'dt', partitionValue: '2026-01-01', intervalColumn: 'Created At' }, 'redshift', interval)).toEqual({
      ref: { schema: 'a', table: 'b' },
      where: ' WHERE "dt" = $1 AND "Created At" >= $2 AND "Created At" < $3',
      values: ['2026-01-01', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'],
      description: 'a.b where dt = "2026-01-01" and Created At in [2026-01-01T00:00:00.000Z, 2026-01-02T00:00:00.000Z)',
    });
    expect(scopeFilter({ table: { table: 't' } }, 'postgres', interval)).toMatchObject({ where: '', values: [], description: 'public.t' });
  });

  it('refuses bad identifiers', () => {
    expect(() => scopeFilter({ table: 't', partitionColumn: 'dt" OR 1=1 --', partitionValue: 1 }, 'postgres', interval)).toThrow(WarehouseIdentifierError);
    expect(() => scopeFilter({ table: 'a.b.c' }, 'postgres', interval)).toThrow(WarehouseIdentifierError);
  });

  it('renders the check SQL with quoted identifiers and placeholders only (golden, Redshift)', () => {
    const filter = scopeFilter({ table: 'analytics.events', partitionColumn: 'dt', partitionValue: '2026-01-01' }, 'redshift', interval);
    expect(rowCountSql(filter, 'redshift')).toBe('SELECT COUNT(*) AS n FROM "analytics"."events" WHERE "dt" = $1');
    expect(uniqueKeySql(filter, ['id', 'Source'], 'redshift')).toEqual({
      totals:
        'SELECT SUM(n) AS total_rows, SUM(CASE WHEN n > 1 THEN 1 ELSE 0 END) AS dup_keys, SUM(CASE WHEN n > 1 THEN n ELSE 0 END) AS dup_rows ' +
        'FROM (SELECT "id" AS k0, "Source" AS k1, COUNT(*) AS n FROM "analytics"."events" WHERE "dt" = $1 GROUP BY "id", "Source") g',
      examples:
        'SELECT CAST(k0 AS VARCHAR(256)) AS k0, CAST(k1 AS VARCHAR(256)) AS k1, n ' +
        'FROM (SELECT "id" AS k0, "Source" AS k1, COUNT(*) AS n FROM "analytics"."events" WHERE "dt" = $1 GROUP BY "id", "Source") g ' +
        'WHERE n > 1 ORDER BY n DESC, k0, k1 LIMIT 5',
    });
    expect(notNullSql(filter, ['id', 'name'], 'redshift')).toBe(
      'SELECT COUNT(*) AS n, SUM(CASE WHEN "id" IS NULL THEN 1 ELSE 0 END) AS c0, SUM(CASE WHEN "name" IS NULL THEN 1 ELSE 0 END) AS c1 ' +
        'FROM "analytics"."events" WHERE "dt" = $1',
    );
    expect(() => uniqueKeySql(filter, [], 'redshift')).toThrow(WarehouseIdentifierError);
    expect(() => notNullSql(filter, ['a'.repeat(128)], 'redshift')).toThrow(WarehouseIdentifierError);
  });

  it('field validation: partitionColumn and partitionValue go together, maxRows ≥ minRows', () => {
    expect(() => rowCountCheck({ table: 't', partitionColumn: 'dt' })).toThrow(ValidationError);
    expect(() => rowCountCheck({ table: 't', partitionColumn: 'dt' })).toThrow(`field 'partitionValue': give partitionColumn and partitionValue together`);
    expect(() => rowCountCheck({ table: 't', minRows: 5, maxRows: 4 })).toThrow(`field 'maxRows': maxRows must be at least minRows`);
    expect(() => uniqueKeyCheck({ table: 't', keyColumns: [] })).toThrow(ValidationError);
  });
});

describe('checks on a real Postgres database', () => {
  const wh = useWarehouseDb();
  let ctx: TaskContext;

  beforeAll(async () => {
    ctx = contextFor([wh().connection], { ds: '2026-01-02' });
    await wh().hook.query(`CREATE SCHEMA analytics`);
    await wh().hook.query(`CREATE TABLE analytics.events (id int, dt date, created_at timestamptz, name text, region text)`);
    await wh().hook.query(
      `INSERT INTO analytics.events VALUES
        (1, '2026-01-01', '2026-01-01T10:00:00Z', 'a', 'eu'),
        (2, '2026-01-02', '2026-01-02T00:00:00Z', 'b', 'eu'),
        (3, '2026-01-02', '2026-01-02T23:59:59Z', NULL, 'us'),
        (3, '2026-01-02', '2026-01-03T00:00:00Z', 'c', 'us'),
        (4, '2026-01-02', '2026-01-02T12:00:00Z', 'd', NULL),
        (4, '2026-01-02', '2026-01-02T12:00:00Z', 'd', NULL),
        (4, '2026-01-03', '2026-01-03T12:00:00Z', NULL, NULL)`,
    );
  });

  describe('redshift.row-count-check', () => {
    it('passes and outputs the measured count, for the table, a partition and the data interval', async () => {
      expect(await rowCountCheck({ table: 'analytics.events', minRows: 7, maxRows: 7 }).run(ctx, {})).toEqual({
        table: 'analytics.events',
        rowCount: 7,
        minRows: 7,
        maxRows: 7,
      });
      const partition = rowCountCheck({ table: 'analytics.events', partitionColumn: 'dt', partitionValue: '{{ ds }}', minRows: 5 });
      expect(await partition.run(ctx, {})).toEqual({ table: 'analytics.events', rowCount: 5, minRows: 5 });
      // [2026-01-02T00:00Z, 2026-01-03T00:00Z): rows 2, 3 (23:59:59), 4, 4
      const interval = rowCountCheck({ table: { schema: 'analytics', table: 'events' }, intervalColumn: 'created_at' });
      expect(await interval.run(ctx, {})).toMatchObject({ rowCount: 4 });
    });

    it('fails below minRows and above maxRows with exact messages', async () => {
      const low = await failure(
        rowCountCheck({ table: 'analytics.events', partitionColumn: 'dt', partitionValue: '2026-01-03', minRows: 2 }).run(ctx, {}),
      );
      expect(low.message).toBe('row count check on analytics.events where dt = "2026-01-03": 1 rows, expected at least 2');
      expect(low.measured).toEqual({ table: 'analytics.events', rowCount: 1, minRows: 2 });
      const high = await failure(rowCountCheck({ table: 'analytics.events', maxRows: 6 }).run(ctx, {}));
      expect(high.message).toBe('row count check on analytics.events: 7 rows, expected at most 6');
      const empty = await failure(
        rowCountCheck({ table: 'analytics.events', partitionColumn: 'dt', partitionValue: '2025-12-31' }).run(ctx, {}),
      );
      expect(empty.message).toBe('row count check on analytics.events where dt = "2025-12-31": 0 rows, expected at least 1');
    });

    it('fails clearly when the table does not exist', async () => {
      const missing = await failure(rowCountCheck({ table: 'analytics.nope' }).run(ctx, {}));
      expect(missing.message).toBe('row count check: table analytics.nope does not exist');
    });

    it('binds the partition value: a quote in it is data, not SQL', async () => {
      const error = await failure(
        rowCountCheck({ table: 'analytics.events', partitionColumn: 'name', partitionValue: `x' OR '1'='1` }).run(ctx, {}),
      );
      expect(error.measured).toMatchObject({ rowCount: 0 });
    });
  });

  describe('redshift.unique-key-check', () => {
    it('passes on a unique key and outputs the numbers', async () => {
      const check = uniqueKeyCheck({ table: 'analytics.events', keyColumns: ['id', 'created_at'], partitionColumn: 'dt', partitionValue: '{{ ds }}' });
      await expect(check.run(ctx, {})).rejects.toThrow(DataQualityError);
      const unique = uniqueKeyCheck({ table: 'analytics.events', keyColumns: ['id', 'dt', 'created_at', 'name'], partitionColumn: 'region', partitionValue: 'eu' });
      expect(await unique.run(ctx, {})).toEqual({
        table: 'analytics.events',
        keyColumns: ['id', 'dt', 'created_at', 'name'],
        rowCount: 2,
        duplicateKeys: 0,
        duplicateRows: 0,
      });
    });

    it('fails showing the duplicate keys and counts', async () => {
      const error = await failure(uniqueKeyCheck({ table: 'analytics.events', keyColumns: ['id'] }).run(ctx, {}));
      expect(error.message).toBe(
        'unique key check on analytics.events: 2 duplicate key(s) over 5 rows in key (id); e.g. (4) ×3, (3) ×2',
      );
      expect(error.measured).toEqual({ table: 'analytics.events', keyColumns: ['id'], rowCount: 7, duplicateKeys: 2, duplicateRows: 5 });
      const composite = await failure(uniqueKeyCheck({ table: 'analytics.events', keyColumns: ['region', 'dt'] }).run(ctx, {}));
      expect(composite.message).toBe(
        'unique key check on analytics.events: 2 duplicate key(s) over 4 rows in key (region, dt); e.g. (us, 2026-01-02) ×2, (NULL, 2026-01-02) ×2',
      );
    });

    it('shows at most five duplicate keys', async () => {
      await wh().hook.query('CREATE TABLE many_dups AS SELECT g % 8 AS k FROM generate_series(1, 40) g');
      const error = await failure(uniqueKeyCheck({ table: 'many_dups', keyColumns: ['k'] }).run(ctx, {}));
      expect(error.message).toBe('unique key check on public.many_dups: 8 duplicate key(s) over 40 rows in key (k); e.g. (0) ×5, (1) ×5, (2) ×5, (3) ×5, (4) ×5');
    });
  });

  describe('redshift.not-null-check', () => {
    it('passes when the columns hold no NULL', async () => {
      expect(await notNullCheck({ table: 'analytics.events', columns: ['id', 'dt'] }).run(ctx, {})).toEqual({
        table: 'analytics.events',
        rowCount: 7,
        nullCounts: { id: 0, dt: 0 },
      });
    });

    it('fails naming each column with NULLs and the count', async () => {
      const error = await failure(notNullCheck({ table: 'analytics.events', columns: ['id', 'name', 'region'], partitionColumn: 'dt', partitionValue: '{{ ds }}' }).run(ctx, {}));
      expect(error.message).toBe('not null check on analytics.events where dt = "2026-01-02": name has 1 NULL(s), region has 2 NULL(s) in 5 rows');
      expect(error.measured).toEqual({ table: 'analytics.events', rowCount: 5, nullCounts: { id: 0, name: 1, region: 2 } });
    });
  });
});

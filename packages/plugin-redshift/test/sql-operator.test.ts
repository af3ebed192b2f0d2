import { dag, formatConnectionUri, type TaskContext } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { WarehouseError, WarehouseQueryError, bindStatement, maskSql, splitStatements, sqlOperator } from '../src/index.js';
import { contextFor, useWarehouseDb } from './support/warehouse-db.js';

function run(ctx: TaskContext, fields: Parameters<typeof sqlOperator>[0]) {
  return sqlOperator(fields).run(ctx, {});
}

describe('SQL text scanning', () => {
  it('splits on top-level semicolons only', () => {
    const sql = `INSERT INTO t VALUES ('a;b'); -- c;d
      CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
      SELECT "x;y" FROM t /* e; /* nested; */ f; */;
      ;  -- only a comment;
      SELECT E'it\\'s;' `;
    expect(splitStatements(sql)).toEqual([
      `INSERT INTO t VALUES ('a;b')`,
      `-- c;d\n      CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql`,
      `SELECT "x;y" FROM t /* e; /* nested; */ f; */`,
      `-- only a comment;\n      SELECT E'it\\'s;'`,
    ]);
    expect(splitStatements('  ; -- nothing\n ;  ')).toEqual([]);
  });

  it('masks literals and comments with the same length', () => {
    const sql = `SELECT ':a', "$1" -- :b\n, $q$:c$q$, :d`;
    const mask = maskSql(sql);
    expect(mask).toHaveLength(sql.length);
    expect(mask).toContain(':d');
    expect(mask).not.toMatch(/:a|:b|:c|\$1/);
  });

  it('rewrites named placeholders to positions per statement; casts and literals stay', () => {
    expect(bindStatement(`SELECT :day::date, ':day', :n, :day`, { day: '2026-01-01', n: 3, unused: true })).toEqual({
      text: `SELECT $1::date, ':day', $2, $1`,
      values: ['2026-01-01', 3],
    });
    expect(bindStatement('SELECT $2, $1', ['a', 'b', 'c'])).toEqual({ text: 'SELECT $2, $1', values: ['a', 'b'] });
    expect(bindStatement('SELECT 1', ['a'])).toEqual({ text: 'SELECT 1', values: [] });
    expect(bindStatement('SELECT a[1:2]', undefined)).toEqual({ text: 'SELECT a[1:2]', values: undefined });
  });

  it('refuses missing parameters and the wrong placeholder style, naming the statement', () => {
    expect(() => bindStatement('SELECT :x', { y: 1 }, 2)).toThrow(`statement 2: parameter :x is not in 'parameters' (given: y)`);
    expect(() => bindStatement('SELECT $3', ['a'], 1)).toThrow('statement 1: uses $3 but 1 parameter(s) were given');
    expect(() => bindStatement('SELECT $1', { a: 1 })).toThrow(`statement 0: uses $1 but 'parameters' is an object: use :name placeholders`);
    expect(() => bindStatement('SELECT $1', undefined)).toThrow(WarehouseError);
  });

  it('refuses templates that would interpolate params, variables or the run id into SQL', () => {
    expect(() => sqlOperator({ sql: `SELECT * FROM t WHERE id = '{{ params.id }}'` })).toThrow(
      /field 'sql': template \{\{ params.id }} would interpolate a value into SQL: bind it through 'parameters' instead/,
    );
    expect(() => sqlOperator({ sql: ['SELECT 1', `SELECT '{{ var.value.x }}'`] })).toThrow(/would interpolate/);
    expect(() => sqlOperator({ sql: `SELECT '{{run_id}}'` })).toThrow(/would interpolate/);
    expect(() => sqlOperator({ sql: `CREATE TABLE t_{{ ds_nodash }} (id int)` })).not.toThrow();
  });
});

describe('redshift.sql on a real Postgres database', () => {
  const wh = useWarehouseDb();
  const ctx = (params: Record<string, unknown> = {}) => contextFor([wh().connection], { ds: '2026-03-04', params });

  it('runs several statements in one transaction and reports each command and row count', async () => {
    const output = await run(ctx(), {
      sql: `CREATE TABLE events_{{ ds_nodash }} (id int PRIMARY KEY, day date, note text);
            INSERT INTO events_{{ ds_nodash }} VALUES (1, :day, 'a'), (2, :day, 'b'), (3, :day::date - 1, 'c');
            UPDATE events_{{ ds_nodash }} SET note = :note WHERE day = :day;
            DELETE FROM events_{{ ds_nodash }} WHERE day < :day`,
      parameters: { day: '{{ ds }}', note: 'updated' },
    });
    expect(output).toEqual({
      statements: [
        { index: 0, command: 'CREATE', rowCount: 0 },
        { index: 1, command: 'INSERT', rowCount: 3 },
        { index: 2, command: 'UPDATE', rowCount: 2 },
        { index: 3, command: 'DELETE', rowCount: 1 },
      ],
      totalRowCount: 6,
    });
    const rows = await wh().hook.query('SELECT id, day::text AS day, note FROM events_20260304 ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, day: '2026-03-04', note: 'updated' },
      { id: 2, day: '2026-03-04', note: 'updated' },
    ]);
  });

  it('a failing statement rolls back all of them; the error names the statement and SQLSTATE', async () => {
    const error = await run(ctx(), {
      sql: ['CREATE TABLE rollback_me (id int PRIMARY KEY)', 'INSERT INTO rollback_me VALUES ($1)', 'INSERT INTO rollback_me VALUES ($1)'],
      parameters: [7],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseQueryError);
    expect(error).toMatchObject({ statementIndex: 2, code: '23505' });
    expect((error as Error).message).toBe(
      'statement 2 of 3 failed (the transaction was rolled back): duplicate key value violates unique constraint "rollback_me_pkey" (SQLSTATE 23505)',
    );
    expect(await wh().hook.tableExists({ table: 'rollback_me' })).toBe(false);
  });

  it('with autocommit, statements before the failure stay committed', async () => {
    const error = await run(ctx(), {
      sql: 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1); INSERT INTO missing_table VALUES (1)',
      autocommit: true,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'statement 2 of 3 failed (statements 0–1 stay committed): relation "missing_table" does not exist (SQLSTATE 42P01)',
    );
    expect((await wh().hook.query('SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 1 }]);
  });

  it('binds parameter values: an injection attempt from params is stored literally', async () => {
    const evil = `'); DROP TABLE victims; --`;
    await wh().hook.query('CREATE TABLE victims (name text, tags text[])');
    const output = await run(ctx({ name: evil }), {
      sql: 'INSERT INTO victims (name, tags) VALUES (:name, :tags)',
      parameters: { name: '{{ params.name }}', tags: ['a', "b'c"] },
    });
    expect(output.totalRowCount).toBe(1);
    expect((await wh().hook.query('SELECT name, tags FROM victims')).rows).toEqual([{ name: evil, tags: ['a', "b'c"] }]);
  });

  it('positional parameters are bound per statement (only the ones each uses)', async () => {
    const output = await run(ctx(), {
      sql: ['CREATE TABLE pos (a text, b int)', 'INSERT INTO pos VALUES ($1, $2)', 'DELETE FROM pos WHERE a = $1'],
      parameters: ['x', 5],
    });
    expect(output.statements.map((s) => s.rowCount)).toEqual([0, 1, 1]);
  });

  it('a bad placeholder fails before anything runs', async () => {
    await expect(run(ctx(), { sql: 'CREATE TABLE never (id int); SELECT :nope', parameters: {} })).rejects.toThrow(
      `statement 1: parameter :nope is not in 'parameters' (given: none)`,
    );
    expect(await wh().hook.tableExists({ table: 'never' })).toBe(false);
  });

  it('cancels the running statement when the task signal fires, rolling back the transaction', async () => {
    const controller = new AbortController();
    const cancelCtx = contextFor([wh().connection], { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const error = await run(cancelCtx, { sql: 'CREATE TABLE cancelled_tx (id int); SELECT pg_sleep(20)' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseQueryError);
    expect(error).toMatchObject({ code: '57014', statementIndex: 1 });
    expect((error as Error).message).toMatch(/^statement 1 of 2 failed \(the transaction was rolled back\): canceling statement due to user request/);
    expect(await wh().hook.tableExists({ table: 'cancelled_tx' })).toBe(false);
  });

  it('an already aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = contextFor([wh().connection], { signal: controller.signal });
    await expect(run(aborted, { sql: 'CREATE TABLE never_aborted (id int)' })).rejects.toThrow();
    expect(await wh().hook.tableExists({ table: 'never_aborted' })).toBe(false);
  });

  it('runs in a DAG through the core scheduler with the connection from the environment', async () => {
    const d = dag({ id: 'sql_op_dag', schedule: null });
    d.task(
      'transform',
      sqlOperator({
        sql: 'CREATE TABLE IF NOT EXISTS dag_out (day date); INSERT INTO dag_out VALUES (:day)',
        parameters: { day: '{{ ds }}' },
      }),
    );
    const env = { SLUICE_CONN_REDSHIFT_DEFAULT: formatConnectionUri(wh().connection) };
    const result = await testDag(d, { logicalDate: new Date('2026-05-06T00:00:00Z'), env });
    expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
    expect(result.tasks[0]?.output).toEqual({
      statements: [
        { index: 0, command: 'CREATE', rowCount: 0 },
        { index: 1, command: 'INSERT', rowCount: 1 },
      ],
      totalRowCount: 1,
    });
    expect((await wh().hook.query(`SELECT day::text AS day FROM dag_out`)).rows).toEqual([{ day: '2026-05-06' }]);
  });
});

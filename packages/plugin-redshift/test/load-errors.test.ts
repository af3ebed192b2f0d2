import { beforeEach, describe, expect, it } from 'vitest';
import { readRedshiftLoadError, s3ToRedshift, WarehouseLoadError, WarehouseQueryError } from '../src/index.js';
import { BUCKET, jsonl, putObject, tableRows, useLoadEnv } from './support/load-fixtures.js';

const env = useLoadEnv();

const BEFORE = [
  { id: 1, name: 'kept', amount: 5 },
  { id: 2, name: 'also kept', amount: 6 },
];

beforeEach(async () => {
  const { wh } = env();
  await wh.query('DROP TABLE IF EXISTS ledger');
  await wh.query('CREATE TABLE ledger (id integer, name text, amount integer)');
  await wh.query(`INSERT INTO ledger VALUES (1, 'kept', 5), (2, 'also kept', 6)`);
});

async function failure(fields: Parameters<typeof s3ToRedshift>[0]): Promise<WarehouseLoadError> {
  const { context } = env();
  const error = await s3ToRedshift(fields).run(context(), {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WarehouseLoadError);
  return error as WarehouseLoadError;
}

async function expectUnchanged(): Promise<void> {
  expect(await tableRows(env().wh, 'ledger', 'id')).toEqual(BEFORE);
}

describe('refused rows on Postgres', () => {
  it('a value that does not cast names the object, source line and column; nothing is loaded', async () => {
    const { s3Hook } = env();
    await putObject(s3Hook, 'bad-cast/1.jsonl', jsonl([{ id: 10, amount: 1 }]));
    // Blank lines are skipped, so COPY line 2 is source line 4 of the second object.
    await putObject(s3Hook, 'bad-cast/2.jsonl.gz', `${JSON.stringify({ id: 11, amount: 2 })}\n\n\n${JSON.stringify({ id: 12, amount: 'abc' })}\n`);
    for (const mode of ['append', 'merge'] as const) {
      const error = await failure({ bucket: BUCKET, prefix: 'bad-cast/', table: 'ledger', mode, ...(mode === 'merge' ? { mergeKeys: ['id'] } : {}) });
      expect(error).toMatchObject({ object: 's3://lake/bad-cast/2.jsonl.gz', line: 4, column: 'amount', code: '22P02' });
      expect(error.reason).toMatch(/invalid input syntax for type integer: "abc"/);
      expect(error.message).toMatch(/^load failed at s3:\/\/lake\/bad-cast\/2\.jsonl\.gz, line 4, column amount: /);
      await expectUnchanged();
    }
  });

  it('bad JSON names the object and line', async () => {
    const { s3Hook } = env();
    await putObject(s3Hook, 'bad-json/1.jsonl', `${JSON.stringify({ id: 10 })}\n{"id": 11, "name": "unterminated\n`);
    const error = await failure({ bucket: BUCKET, prefix: 'bad-json/', table: 'ledger', mode: 'replace-partition', partition: { column: 'id', value: '10' } });
    expect(error).toMatchObject({ object: 's3://lake/bad-json/1.jsonl', line: 2, column: undefined });
    expect(error.reason).toMatch(/^invalid JSON/);
    await expectUnchanged();
  });

  it('a record that is not an object, and a CSV field that does not cast after a multi-line record', async () => {
    const { s3Hook } = env();
    await putObject(s3Hook, 'not-object/1.jsonl', '[1, 2]\n');
    expect(await failure({ bucket: BUCKET, prefix: 'not-object/', table: 'ledger' })).toMatchObject({ line: 1, reason: 'expected a JSON object, found an array' });
    await putObject(s3Hook, 'bad-csv/1.csv', 'id,name,amount\n20,"two\nlines",1\n21,x,notanumber\n');
    const error = await failure({ bucket: BUCKET, prefix: 'bad-csv/', table: 'ledger', format: 'csv' });
    expect(error).toMatchObject({ object: 's3://lake/bad-csv/1.csv', line: 4, column: 'amount', code: '22P02' });
    await putObject(s3Hook, 'short-csv/1.csv', 'id,name,amount\n20,x\n');
    expect(await failure({ bucket: BUCKET, prefix: 'short-csv/', table: 'ledger', format: 'csv' })).toMatchObject({ line: 2, reason: 'expected 3 fields, found 2' });
    await expectUnchanged();
  });

  it('a missing key fails before anything is written', async () => {
    const { context } = env();
    const error = await s3ToRedshift({ bucket: BUCKET, keys: ['nowhere/missing.jsonl'], table: 'ledger' }).run(context(), {}).catch((e: unknown) => e);
    expect((error as Error).name).toBe('S3OperationError');
    await expectUnchanged();
  });
});

describe('readRedshiftLoadError', () => {
  const STL = { schema: 'rs_system', table: 'stl_load_errors' };
  const SYS = { schema: 'rs_system', table: 'sys_load_error_detail' };

  beforeEach(async () => {
    const { wh } = env();
    await wh.query('DROP SCHEMA IF EXISTS rs_system CASCADE');
    await wh.query('CREATE SCHEMA rs_system');
    // The real column names and types of the Redshift system views (character(n) pads with blanks).
    await wh.query(`CREATE TABLE rs_system.stl_load_errors (
      userid integer, slice integer, tbl integer, starttime timestamp, session integer, query integer,
      filename character(256), line_number bigint, colname character(127), type character(10), col_length character(10),
      position integer, raw_line character(1024), raw_field_value character(1024), err_code integer, err_reason character(100),
      is_partial integer, start_offset bigint, copy_job_id bigint)`);
    await wh.query(`CREATE TABLE rs_system.sys_load_error_detail (
      user_id integer, query_id bigint, transaction_id bigint, session_id integer, database_name character(64), table_id integer,
      start_time timestamp, file_name character(256), line_number bigint, column_name character(127), column_type character(10),
      column_length character(10), position integer, error_code integer, error_message character(512))`);
  });

  it("reads the latest STL_LOAD_ERRORS row of this session as the error's file, line, column and reason", async () => {
    const { wh } = env();
    const cause = new WarehouseQueryError('Load into table \'posts\' failed. Check \'stl_load_errors\' system table for details.');
    const error = await wh.withClient(async (client) => {
      await client.query(
        `INSERT INTO rs_system.stl_load_errors (session, query, starttime, filename, line_number, colname, err_code, err_reason) VALUES
          (pg_backend_pid(), 1, '2026-04-05 10:00:00', 's3://lake/old.json', 1, 'a', 1200, 'older error'),
          (pg_backend_pid(), 2, '2026-04-05 10:05:00', 's3://lake/raw/posts/part-1.json.gz', 42, 'score', 1207, 'Invalid digit, Value ''x'', Pos 0, Type: Integer'),
          (pg_backend_pid() + 1, 3, '2026-04-05 10:09:00', 's3://lake/other-session.json', 7, 'b', 1216, 'other session')`,
      );
      return readRedshiftLoadError(client, { cause, tables: { stlLoadErrors: STL, sysLoadErrorDetail: SYS } });
    });
    expect(error).toBeInstanceOf(WarehouseLoadError);
    expect(error).toMatchObject({
      object: 's3://lake/raw/posts/part-1.json.gz',
      line: 42,
      column: 'score',
      code: '1207',
      reason: "Invalid digit, Value 'x', Pos 0, Type: Integer",
      cause,
    });
    expect(error?.message).toBe("load failed at s3://lake/raw/posts/part-1.json.gz, line 42, column score: Invalid digit, Value 'x', Pos 0, Type: Integer");
  });

  it('falls back to SYS_LOAD_ERROR_DETAIL when STL_LOAD_ERRORS cannot be read (Serverless), and finds nothing when neither has a row', async () => {
    const { wh } = env();
    const missingStl = { schema: 'rs_system', table: 'no_stl_here' };
    const error = await wh.withClient(async (client) => {
      await client.query(
        `INSERT INTO rs_system.sys_load_error_detail (session_id, query_id, start_time, file_name, line_number, column_name, error_code, error_message)
         VALUES (pg_backend_pid(), 9, '2026-04-05 10:00:00', 's3://lake/serverless/a.json', 3, 'created_at', 1206, 'Invalid timestamp format or value')`,
      );
      const tables = { stlLoadErrors: missingStl, sysLoadErrorDetail: SYS };
      const found = await readRedshiftLoadError(client, { tables });
      // Errors logged before the COPY started belong to earlier loads on this (pooled) session.
      expect(await readRedshiftLoadError(client, { tables, since: '2026-04-05 10:00:01' })).toBeUndefined();
      expect(await readRedshiftLoadError(client, { tables, since: '2026-04-05 10:00:00' })).toBeInstanceOf(WarehouseLoadError);
      return found;
    });
    expect(error).toMatchObject({ object: 's3://lake/serverless/a.json', line: 3, column: 'created_at', reason: 'Invalid timestamp format or value' });

    await wh.query('TRUNCATE rs_system.sys_load_error_detail');
    const none = await wh.withClient((client) => readRedshiftLoadError(client, { tables: { stlLoadErrors: STL, sysLoadErrorDetail: SYS } }));
    expect(none).toBeUndefined();
  });
});

import { ValidationError, type Connection } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestKey, s3ToRedshift, WarehouseQueryError } from '../src/index.js';
import { BUCKET, jsonl, putObject, tableRows, useLoadEnv } from './support/load-fixtures.js';
import { contextFor } from './support/warehouse-db.js';

/**
 * The Redshift path run against Postgres with a `redshift`-dialect connection: Postgres refuses Redshift's
 * statements, which exercises everything around them — the manifest written next to the data, the
 * transaction rolled back, the error surfaced — without a Redshift cluster.
 */
const env = useLoadEnv();
const ROLE = 'arn:aws:iam::123456789012:role/load';

function redshiftContext(extra: Record<string, unknown>): ReturnType<typeof contextFor> {
  const { s3, db } = env();
  const connection: Connection = { ...db.connection, extra: { dialect: 'redshift', sslmode: 'disable', ...extra } };
  return contextFor([s3.connection(), connection]);
}

describe('redshift dialect', () => {
  it('writes the COPY manifest next to the data, and leaves the table unchanged when the COPY fails', async () => {
    const { wh, s3Hook } = env();
    await wh.query('CREATE TABLE rs_target (id integer, v text)');
    await wh.query(`INSERT INTO rs_target VALUES (1, 'kept')`);
    await putObject(s3Hook, 'rs/dt=2026-04-05/a.jsonl.gz', jsonl([{ id: 2 }]));
    await putObject(s3Hook, 'rs/dt=2026-04-05/b.jsonl.gz', jsonl([{ id: 3 }]));
    await putObject(s3Hook, 'rs/dt=2026-04-05/_SUCCESS', '');
    const keys = ['rs/dt=2026-04-05/a.jsonl.gz', 'rs/dt=2026-04-05/b.jsonl.gz'];

    const load = s3ToRedshift({ bucket: BUCKET, prefix: 'rs/dt=2026-04-05/', table: 'rs_target', mode: 'merge', mergeKeys: ['id'], dedupeOrderBy: 'v' });
    const error = await load.run(redshiftContext({ iam_role: ROLE, region: 'us-east-1' }), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseQueryError);

    const key = manifestKey(BUCKET, keys);
    expect(key.startsWith('rs/dt=2026-04-05/_sluice_copy_')).toBe(true);
    expect(JSON.parse(await s3Hook.getString(BUCKET, key))).toEqual(buildManifest(BUCKET, keys));
    expect(await tableRows(wh, 'rs_target', 'id')).toEqual([{ id: 1, v: 'kept' }]);
  });

  it('needs an IAM role, refuses a mix of gzip and plain objects, and a merge without dedupeOrderBy', async () => {
    const { wh, s3Hook } = env();
    await wh.query('CREATE TABLE IF NOT EXISTS rs_other (id integer)');
    await putObject(s3Hook, 'rs-mixed/a.jsonl', jsonl([{ id: 1 }]));
    await putObject(s3Hook, 'rs-mixed/b.jsonl.gz', jsonl([{ id: 2 }]));
    const fields = { bucket: BUCKET, prefix: 'rs-mixed/', table: 'rs_other' };
    await expect(s3ToRedshift(fields).run(redshiftContext({}), {})).rejects.toThrow(/needs an IAM role/);
    await expect(s3ToRedshift(fields).run(redshiftContext({ iam_role: ROLE }), {})).rejects.toThrow(/1 of 2 objects end with .gz/);
    const merge = s3ToRedshift({ ...fields, gzip: false, mode: 'merge', mergeKeys: ['id'] }).run(redshiftContext({ iam_role: ROLE }), {});
    await expect(merge).rejects.toThrow(ValidationError);
    await expect(s3ToRedshift({ ...fields, gzip: false, iamRole: 'not-an-arn' }).run(redshiftContext({}), {})).rejects.toThrow(/IAM role ARN/);
  });
});

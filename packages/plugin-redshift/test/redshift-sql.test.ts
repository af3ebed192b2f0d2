import { ValidationError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { WarehouseIdentifierError } from '../src/errors.js';
import { buildManifest, manifestKey } from '../src/load/manifest.js';
import { planLoad } from '../src/load/load-modes.js';
import { renderRedshiftCopy, type RedshiftCopySpec } from '../src/load/redshift-copy-sql.js';

const ROLE = 'arn:aws:iam::123456789012:role/redshift-load';
const base: RedshiftCopySpec = { table: { schema: 'raw', table: 'posts' }, from: 's3://lake/raw/posts/', iamRole: ROLE, format: { kind: 'json' } };

describe('renderRedshiftCopy', () => {
  it("renders JSON 'auto ignorecase' with a column list", () => {
    expect(renderRedshiftCopy({ ...base, columns: ['id', 'Title'] })).toBe(
      `COPY "raw"."posts" ("id", "Title") FROM 's3://lake/raw/posts/' IAM_ROLE '${ROLE}' FORMAT AS JSON 'auto ignorecase'`,
    );
  });

  it('renders jsonpaths, MANIFEST, GZIP, TIMEFORMAT, TRUNCATECOLUMNS, MAXERROR and REGION in a fixed order', () => {
    expect(
      renderRedshiftCopy({
        ...base,
        from: 's3://lake/raw/posts/_sluice_copy_0123456789abcdef.manifest',
        manifest: true,
        format: { kind: 'json', jsonPaths: 's3://lake/config/posts.jsonpaths' },
        gzip: true,
        timeFormat: 'auto',
        truncateColumns: true,
        maxError: 10,
        region: 'eu-west-1',
      }),
    ).toBe(
      `COPY "raw"."posts" FROM 's3://lake/raw/posts/_sluice_copy_0123456789abcdef.manifest' IAM_ROLE '${ROLE}' ` +
        `FORMAT AS JSON 's3://lake/config/posts.jsonpaths' MANIFEST GZIP TIMEFORMAT 'auto' TRUNCATECOLUMNS MAXERROR 10 REGION 'eu-west-1'`,
    );
  });

  it('renders CSV with DELIMITER and IGNOREHEADER, and a format TIMEFORMAT', () => {
    expect(renderRedshiftCopy({ ...base, format: { kind: 'csv', delimiter: '|', ignoreHeader: 1 }, timeFormat: 'YYYY-MM-DD HH:MI:SS' })).toBe(
      `COPY "raw"."posts" FROM 's3://lake/raw/posts/' IAM_ROLE '${ROLE}' FORMAT AS CSV DELIMITER '|' IGNOREHEADER 1 TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'`,
    );
    expect(renderRedshiftCopy({ ...base, format: { kind: 'csv', delimiter: "'", ignoreHeader: 0 } })).toBe(
      `COPY "raw"."posts" FROM 's3://lake/raw/posts/' IAM_ROLE '${ROLE}' FORMAT AS CSV DELIMITER ''''`,
    );
  });

  it('quotes odd identifiers: spaces, mixed case, unicode', () => {
    expect(renderRedshiftCopy({ ...base, table: { schema: 'My Schema', table: 'Données été' }, columns: ['Post ID', 'naïve'] })).toBe(
      `COPY "My Schema"."Données été" ("Post ID", "naïve") FROM 's3://lake/raw/posts/' IAM_ROLE '${ROLE}' FORMAT AS JSON 'auto ignorecase'`,
    );
  });

  it('refuses bad identifiers', () => {
    expect(() => renderRedshiftCopy({ ...base, table: { table: 'a"b' } })).toThrow(WarehouseIdentifierError);
    expect(() => renderRedshiftCopy({ ...base, columns: ['ok', 'bad\ncolumn'] })).toThrow(WarehouseIdentifierError);
    expect(() => renderRedshiftCopy({ ...base, table: { table: '' } })).toThrow(WarehouseIdentifierError);
    expect(() => renderRedshiftCopy({ ...base, table: { table: 'x'.repeat(128) } })).toThrow(WarehouseIdentifierError);
  });

  it('refuses an IAM role that is not an ARN, and other unsafe literals', () => {
    expect(() => renderRedshiftCopy({ ...base, iamRole: "x' CREDENTIALS 'aws_access_key_id=AKIA" })).toThrow(ValidationError);
    expect(() => renderRedshiftCopy({ ...base, iamRole: 'arn:aws:iam::12345:role/short-account' })).toThrow(/IAM role ARN/);
    expect(renderRedshiftCopy({ ...base, iamRole: 'default' })).toContain(' IAM_ROLE default ');
    expect(() => renderRedshiftCopy({ ...base, region: "us-east-1' GZIP --" })).toThrow(ValidationError);
    expect(() => renderRedshiftCopy({ ...base, timeFormat: "auto' x" })).toThrow(ValidationError);
    expect(() => renderRedshiftCopy({ ...base, from: 'https://example.com/x' })).toThrow(ValidationError);
    expect(() => renderRedshiftCopy({ ...base, from: "s3://lake/it's\\here" })).toThrow(ValidationError);
    expect(() => renderRedshiftCopy({ ...base, maxError: -1 })).toThrow(ValidationError);
    // A quote in a key is valid S3 and doubled in the literal.
    expect(renderRedshiftCopy({ ...base, from: "s3://lake/it's/" })).toContain(`FROM 's3://lake/it''s/'`);
  });
});

describe('manifest', () => {
  it('lists every object as mandatory, and its name depends only on the object list', () => {
    expect(buildManifest('lake', ['a/x.jsonl', 'a/y.jsonl.gz'])).toEqual({
      entries: [
        { url: 's3://lake/a/x.jsonl', mandatory: true },
        { url: 's3://lake/a/y.jsonl.gz', mandatory: true },
      ],
    });
    const key = manifestKey('lake', ['a/x.jsonl', 'a/y.jsonl.gz']);
    expect(key).toMatch(/^a\/_sluice_copy_[0-9a-f]{16}\.manifest$/);
    expect(manifestKey('lake', ['a/x.jsonl', 'a/y.jsonl.gz'])).toBe(key);
    expect(manifestKey('lake', ['a/x.jsonl'])).not.toBe(key);
  });
});

describe('load plans (Redshift)', () => {
  const target = { schema: 'analytics', table: 'Posts' };

  it('append copies into the target', () => {
    expect(planLoad({ dialect: 'redshift', target, columns: ['id', 'dt'], mode: 'append' })).toEqual({
      before: [],
      copyInto: target,
      copyColumns: ['id', 'dt'],
      loadOrder: false,
      after: [],
    });
  });

  it('replace-partition: stage, check the partition, delete, insert, drop — values bound', () => {
    const plan = planLoad({ dialect: 'redshift', target, columns: ['id', 'dt'], mode: 'replace-partition', partition: { column: 'dt', equals: '2026-04-05' } });
    expect(plan.copyInto).toEqual({ table: 'sluice_load_stage' });
    expect([...plan.before, ...plan.after]).toEqual([
      { text: 'CREATE TEMP TABLE "sluice_load_stage" (LIKE "analytics"."Posts")' },
      {
        text: 'SELECT count(*) AS n FROM "sluice_load_stage" WHERE "dt" IS NULL OR NOT ("dt" = $1)',
        values: ['2026-04-05'],
        role: 'outside',
        label: 'dt = 2026-04-05',
      },
      { text: 'DELETE FROM "analytics"."Posts" WHERE "dt" = $1', values: ['2026-04-05'], role: 'deleted' },
      { text: 'INSERT INTO "analytics"."Posts" ("id", "dt") SELECT "id", "dt" FROM "sluice_load_stage"', role: 'inserted' },
      { text: 'DROP TABLE "sluice_load_stage"' },
    ]);
    const range = planLoad({
      dialect: 'redshift',
      target,
      columns: ['id', 'ts'],
      mode: 'replace-partition',
      partition: { column: 'ts', from: '2026-04-05T00:00:00.000Z', to: '2026-04-06T00:00:00.000Z' },
    });
    expect(range.after[1]).toEqual({
      text: 'DELETE FROM "analytics"."Posts" WHERE "ts" >= $1 AND "ts" < $2',
      values: ['2026-04-05T00:00:00.000Z', '2026-04-06T00:00:00.000Z'],
      role: 'deleted',
    });
  });

  it('merge: stage LIKE target, de-duplicate by dedupeOrderBy, count matches, MERGE, drop', () => {
    const plan = planLoad({ dialect: 'redshift', target, columns: ['id', 'Title', 'updated_at'], mode: 'merge', mergeKeys: ['id'], dedupeOrderBy: 'updated_at' });
    expect(plan.loadOrder).toBe(false);
    expect(plan.copyColumns).toEqual(['id', 'Title', 'updated_at']);
    expect([...plan.before, ...plan.after].map((s) => s.text)).toEqual([
      'CREATE TEMP TABLE "sluice_load_stage" (LIKE "analytics"."Posts")',
      'SELECT count(*) AS n FROM "sluice_load_stage" WHERE "id" IS NULL',
      'CREATE TEMP TABLE "sluice_load_merge_source" (LIKE "analytics"."Posts")',
      'INSERT INTO "sluice_load_merge_source" ("id", "Title", "updated_at") SELECT "id", "Title", "updated_at" FROM ' +
        '(SELECT "id", "Title", "updated_at", ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "updated_at" DESC NULLS LAST) AS "__sluice_rank" ' +
        'FROM "sluice_load_stage") AS ranked WHERE "__sluice_rank" = 1',
      'SELECT count(*) AS n FROM "sluice_load_merge_source" AS "__sluice_src" JOIN "analytics"."Posts" ON "analytics"."Posts"."id" = "__sluice_src"."id"',
      'MERGE INTO "analytics"."Posts" USING "sluice_load_merge_source" AS "__sluice_src" ON "analytics"."Posts"."id" = "__sluice_src"."id" ' +
        'WHEN MATCHED THEN UPDATE SET "Title" = "__sluice_src"."Title", "updated_at" = "__sluice_src"."updated_at" ' +
        'WHEN NOT MATCHED THEN INSERT ("id", "Title", "updated_at") VALUES ("__sluice_src"."id", "__sluice_src"."Title", "__sluice_src"."updated_at")',
      'DROP TABLE "sluice_load_merge_source"',
      'DROP TABLE "sluice_load_stage"',
    ]);
  });

  it('merge on Postgres locks out other writers, adds the load order to the stage and breaks ties with it', () => {
    const plan = planLoad({ dialect: 'postgres', target, columns: ['id', 'v', 'k2'], mode: 'merge', mergeKeys: ['id', 'k2'] });
    expect(plan.after[0]).toEqual({ text: 'SELECT count(*) AS n FROM "sluice_load_stage" WHERE "id" IS NULL OR "k2" IS NULL', role: 'null-keys' });
    expect(plan.before.map((s) => s.text)).toEqual([
      'LOCK TABLE "analytics"."Posts" IN SHARE ROW EXCLUSIVE MODE',
      'CREATE TEMP TABLE "sluice_load_stage" (LIKE "analytics"."Posts")',
      'ALTER TABLE "sluice_load_stage" ADD COLUMN "__sluice_load_seq" bigint',
    ]);
    expect(plan.copyColumns).toEqual(['id', 'v', 'k2', '__sluice_load_seq']);
    expect(plan.after[2]?.text).toContain('ORDER BY "__sluice_load_seq" DESC)');
  });

  it('puts a CREATE TABLE first, in the same transaction', () => {
    const plan = planLoad({ dialect: 'redshift', target, columns: ['id'], mode: 'append', createTable: 'CREATE TABLE IF NOT EXISTS "analytics"."Posts" (\n  "id" INTEGER\n);' });
    expect(plan.before).toEqual([{ text: 'CREATE TABLE IF NOT EXISTS "analytics"."Posts" (\n  "id" INTEGER\n);' }]);
  });

  it('refuses a Redshift merge without a deterministic order, unknown keys, and modes without their options', () => {
    expect(() => planLoad({ dialect: 'redshift', target, columns: ['id'], mode: 'merge', mergeKeys: ['id'] })).toThrow(/dedupeOrderBy/);
    expect(() => planLoad({ dialect: 'postgres', target, columns: ['id'], mode: 'merge', mergeKeys: ['nope'] })).toThrow(/not a loaded column/);
    expect(() => planLoad({ dialect: 'redshift', target, columns: ['id'], mode: 'replace-partition' })).toThrow(ValidationError);
    expect(() => planLoad({ dialect: 'redshift', target: { table: 'bad"name' }, columns: ['id'], mode: 'append' })).toThrow(WarehouseIdentifierError);
  });
});

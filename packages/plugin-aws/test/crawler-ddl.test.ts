import { describe, expect, it } from 'vitest';
import { quoteIdentifier, renderCreateTable, sqlType, types as t, type Column, type ColumnType } from '../src/crawler/index.js';

const columns: Column[] = [
  { name: 'active', type: t.boolean(), nullable: false },
  { name: 'count', type: t.int(), nullable: false },
  { name: 'id', type: t.bigint(), nullable: false },
  { name: 'score', type: t.double(), nullable: true },
  { name: 'title', type: t.string(), nullable: true },
  { name: 'created_at', type: t.timestamp(), nullable: false },
  { name: 'day', type: t.date(), nullable: false },
  { name: 'tags', type: t.array(t.string()), nullable: true },
  { name: 'user', type: t.struct([{ name: 'name', type: t.string(), nullable: false }]), nullable: false },
  { name: 'always null', type: t.null(), nullable: true },
];
const partitionKeys: Column[] = [{ name: 'dt', type: t.date(), nullable: false }];

describe('renderCreateTable', () => {
  it('renders Redshift types, SUPER for nested, VARCHAR(65535) by default, partition columns last', () => {
    expect(renderCreateTable({ columns, partitionKeys }, { dialect: 'redshift', schemaName: 'staging', tableName: 'posts' })).toBe(
      [
        'CREATE TABLE "staging"."posts" (',
        '  "active" BOOLEAN,',
        '  "count" INTEGER,',
        '  "id" BIGINT,',
        '  "score" DOUBLE PRECISION,',
        '  "title" VARCHAR(65535),',
        '  "created_at" TIMESTAMPTZ,',
        '  "day" DATE,',
        '  "tags" SUPER,',
        '  "user" SUPER,',
        '  "always null" VARCHAR(65535),',
        '  "dt" DATE',
        ');',
      ].join('\n'),
    );
  });

  it('renders Postgres types, jsonb for nested and text for strings', () => {
    expect(renderCreateTable({ columns, partitionKeys }, { dialect: 'postgres', schemaName: 'public', tableName: 'posts', ifNotExists: true })).toBe(
      [
        'CREATE TABLE IF NOT EXISTS "public"."posts" (',
        '  "active" boolean,',
        '  "count" integer,',
        '  "id" bigint,',
        '  "score" double precision,',
        '  "title" text,',
        '  "created_at" timestamptz,',
        '  "day" date,',
        '  "tags" jsonb,',
        '  "user" jsonb,',
        '  "always null" text,',
        '  "dt" date',
        ');',
      ].join('\n'),
    );
  });

  it('takes a VARCHAR length and can leave partition columns out', () => {
    const ddl = renderCreateTable({ columns: columns.slice(4, 5), partitionKeys }, { dialect: 'redshift', schemaName: 's', tableName: 't', varcharLength: 256, includePartitionKeys: false });
    expect(ddl).toBe('CREATE TABLE "s"."t" (\n  "title" VARCHAR(256)\n);');
    for (const varcharLength of [0, 65536, 1.5]) {
      expect(() => renderCreateTable({ columns }, { dialect: 'redshift', schemaName: 's', tableName: 't', varcharLength })).toThrow(/varcharLength/);
    }
  });

  it.each<[ColumnType, string, string]>([
    [t.array(t.struct([])), 'SUPER', 'jsonb'],
    [t.null(), 'VARCHAR(65535)', 'text'],
  ])('sqlType %j', (type, redshift, postgres) => {
    expect(sqlType(type, 'redshift')).toBe(redshift);
    expect(sqlType(type, 'postgres')).toBe(postgres);
  });
});

describe('identifiers', () => {
  const injections = [
    'x"; DROP TABLE users; --',
    'a"b',
    '"',
    'name\u0000',
    'line\nbreak',
    'tab\there',
    '',
  ];

  it.each(injections)('rejects %j as a column, table or schema name', (name) => {
    const column: Column = { name, type: t.int(), nullable: false };
    expect(() => renderCreateTable({ columns: [column] }, { dialect: 'redshift', schemaName: 's', tableName: 't' })).toThrow(expect.objectContaining({ name: 'DdlError' }));
    expect(() => renderCreateTable({ columns: [column] }, { dialect: 'postgres', schemaName: 's', tableName: 't' })).toThrow(expect.objectContaining({ name: 'DdlError' }));
    const ok: Column[] = [{ name: 'a', type: t.int(), nullable: false }];
    expect(() => renderCreateTable({ columns: ok }, { dialect: 'postgres', schemaName: name, tableName: 't' })).toThrow(expect.objectContaining({ name: 'DdlError' }));
    expect(() => renderCreateTable({ columns: ok }, { dialect: 'redshift', schemaName: 's', tableName: name })).toThrow(expect.objectContaining({ name: 'DdlError' }));
  });

  it('quotes names with spaces, dots, quotes of other kinds and unicode, which are safe inside double quotes', () => {
    expect(quoteIdentifier("it's a.name-with spaces; ok", 'postgres')).toBe('"it\'s a.name-with spaces; ok"');
    expect(quoteIdentifier('größe', 'redshift')).toBe('"größe"');
  });

  it('enforces the length limits: Postgres 63 bytes, Redshift 127 bytes', () => {
    expect(quoteIdentifier('a'.repeat(63), 'postgres')).toHaveLength(65);
    expect(() => quoteIdentifier('a'.repeat(64), 'postgres')).toThrow(/longer than 63 bytes/);
    expect(quoteIdentifier('a'.repeat(127), 'redshift')).toHaveLength(129);
    expect(() => quoteIdentifier('é'.repeat(64), 'redshift')).toThrow(/longer than 127 bytes/);
  });

  it('rejects duplicate column names (case-insensitive on Redshift) and a table without columns', () => {
    const dup: Column[] = [
      { name: 'Id', type: t.int(), nullable: false },
      { name: 'id', type: t.int(), nullable: false },
    ];
    expect(() => renderCreateTable({ columns: dup }, { dialect: 'redshift', schemaName: 's', tableName: 't' })).toThrow(/duplicate column name/);
    expect(renderCreateTable({ columns: dup }, { dialect: 'postgres', schemaName: 's', tableName: 't' })).toContain('"Id" integer,\n  "id" integer');
    expect(() => renderCreateTable({ columns: [] }, { dialect: 'postgres', schemaName: 's', tableName: 't' })).toThrow(/at least one column/);
  });
});

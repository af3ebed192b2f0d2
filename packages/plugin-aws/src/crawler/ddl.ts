/**
 * The inferred schema as warehouse DDL (`CREATE TABLE`) for Redshift or Postgres. Every identifier is
 * validated and double-quoted; nothing from the data is ever interpolated raw.
 */
import { DdlError } from './errors.js';
import type { Column, ColumnType } from './schema.js';

/** A SQL dialect DDL can be rendered in. */
export type DdlDialect = 'redshift' | 'postgres';

/** Redshift's largest VARCHAR, the default length of string columns there. */
export const REDSHIFT_MAX_VARCHAR = 65535;

/** Options of {@link renderCreateTable}. */
export interface CreateTableOptions {
  dialect: DdlDialect;
  schemaName: string;
  tableName: string;
  /** Redshift only: length of VARCHAR columns, 1–65535. Default 65535. */
  varcharLength?: number | undefined;
  /** Append the partition columns after the data columns. Default true. */
  includePartitionKeys?: boolean | undefined;
  /** `CREATE TABLE IF NOT EXISTS`. Default false. */
  ifNotExists?: boolean | undefined;
}

/** What DDL is rendered from: a crawl result fits. */
export interface TableSchema {
  columns: readonly Column[];
  partitionKeys?: readonly Column[] | undefined;
}

/** Longest identifier in bytes: Redshift 127, Postgres 63 (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_BYTES: Record<DdlDialect, number> = { redshift: 127, postgres: 63 };

/**
 * `name` validated and double-quoted. Refused: empty names, names longer than the dialect allows, and
 * names holding a double quote, a NUL or any other control character.
 * @throws DdlError naming what is wrong (the name is shown escaped, cut to 80 characters).
 */
export function quoteIdentifier(name: string, dialect: DdlDialect, what = 'identifier'): string {
  const shown = JSON.stringify(String(name).slice(0, 80));
  if (typeof name !== 'string' || name.length === 0) throw new DdlError(`${what} must be a non-empty string`);
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES[dialect]) {
    throw new DdlError(`${what} ${shown} is longer than ${MAX_IDENTIFIER_BYTES[dialect]} bytes (${dialect})`);
  }
  // eslint-disable-next-line no-control-regex
  if (/["\u0000-\u001f\u007f]/.test(name)) throw new DdlError(`${what} ${shown} holds a double quote or a control character`);
  return `"${name}"`;
}

/** The SQL type of a column type in `dialect` (struct and array: SUPER on Redshift, jsonb on Postgres). */
export function sqlType(type: ColumnType, dialect: DdlDialect, varcharLength = REDSHIFT_MAX_VARCHAR): string {
  const redshift = dialect === 'redshift';
  switch (type.kind) {
    case 'boolean':
      return redshift ? 'BOOLEAN' : 'boolean';
    case 'int':
      return redshift ? 'INTEGER' : 'integer';
    case 'bigint':
      return redshift ? 'BIGINT' : 'bigint';
    case 'double':
      return redshift ? 'DOUBLE PRECISION' : 'double precision';
    case 'timestamp':
      return redshift ? 'TIMESTAMPTZ' : 'timestamptz';
    case 'date':
      return redshift ? 'DATE' : 'date';
    case 'array':
    case 'struct':
      return redshift ? 'SUPER' : 'jsonb';
    case 'string':
    case 'null':
      return redshift ? `VARCHAR(${varcharLength})` : 'text';
  }
}

/**
 * `CREATE TABLE "schema"."table" (...)` for the schema. Columns keep their order, partition columns come
 * last; no NOT NULL is emitted (the schema comes from a sample, so later data may hold nulls).
 *
 * ```ts
 * renderCreateTable(await crawlPrefix(hook, { bucket: 'lake', prefix: 'raw/posts' }),
 *   { dialect: 'redshift', schemaName: 'staging', tableName: 'posts' });
 * ```
 * @throws DdlError for an invalid identifier, duplicate column names (case-insensitive on Redshift, which
 *   folds identifiers to lower case), no columns, or a bad `varcharLength`.
 */
export function renderCreateTable(schema: TableSchema, options: CreateTableOptions): string {
  const { dialect } = options;
  const varcharLength = options.varcharLength ?? REDSHIFT_MAX_VARCHAR;
  if (!Number.isInteger(varcharLength) || varcharLength < 1 || varcharLength > REDSHIFT_MAX_VARCHAR) {
    throw new DdlError(`varcharLength must be an integer from 1 to ${REDSHIFT_MAX_VARCHAR}`);
  }
  const columns = [...schema.columns, ...((options.includePartitionKeys ?? true) ? (schema.partitionKeys ?? []) : [])];
  if (columns.length === 0) throw new DdlError('a table needs at least one column');
  const seen = new Set<string>();
  const lines = columns.map((column) => {
    const folded = dialect === 'redshift' ? column.name.toLowerCase() : column.name;
    const quoted = quoteIdentifier(column.name, dialect, 'column name');
    if (seen.has(folded)) throw new DdlError(`duplicate column name ${JSON.stringify(column.name)} (${dialect})`);
    seen.add(folded);
    return `  ${quoted} ${sqlType(column.type, dialect, varcharLength)}`;
  });
  const table = `${quoteIdentifier(options.schemaName, dialect, 'schema name')}.${quoteIdentifier(options.tableName, dialect, 'table name')}`;
  return `CREATE TABLE ${options.ifNotExists ? 'IF NOT EXISTS ' : ''}${table} (\n${lines.join(',\n')}\n);`;
}

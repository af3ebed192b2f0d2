/**
 * Identifiers (schema, table, column names) for warehouse SQL: validated and double-quoted through the
 * one quoting rule in `@sluice/plugin-aws` (`quoteIdentifier`), so DDL rendered by the crawler and SQL
 * written here agree. Values never go through here: they are always bound.
 */
import { quoteIdentifier } from '@sluice/plugin-aws';
import { WarehouseIdentifierError } from './errors.js';

/** The SQL dialect a warehouse speaks. */
export type Dialect = 'redshift' | 'postgres';

/** A table, optionally schema-qualified. */
export interface TableRef {
  /** Schema name; the connection's search path (usually `public`) when omitted. */
  schema?: string | undefined;
  /** Table name. */
  table: string;
}

/** Schema used in asset URIs and catalog lookups when a {@link TableRef} names none. */
export const DEFAULT_SCHEMA = 'public';

/**
 * `name` validated and double-quoted for `dialect`. Refused: empty names, names longer than the dialect
 * allows (Postgres 63 bytes, Redshift 127), names holding a double quote or a control character.
 * @param what - what the name is, for the message (e.g. `column name`).
 * @throws WarehouseIdentifierError naming what is wrong.
 */
export function quoteIdent(name: string, dialect: Dialect, what = 'identifier'): string {
  try {
    return quoteIdentifier(name, dialect, what);
  } catch (error) {
    throw new WarehouseIdentifierError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** `"schema"."table"`, or `"table"` when the reference names no schema. @throws WarehouseIdentifierError */
export function qualifiedTable(ref: TableRef, dialect: Dialect): string {
  const table = quoteIdent(ref.table, dialect, 'table name');
  return ref.schema === undefined ? table : `${quoteIdent(ref.schema, dialect, 'schema name')}.${table}`;
}

/**
 * Parses `schema.table` or `table` (no quoting syntax: a name holding a dot cannot be written this way;
 * pass a {@link TableRef} instead). Both parts are validated as identifiers.
 * @throws WarehouseIdentifierError for an empty part or more than one dot.
 */
export function parseTableRef(text: string): TableRef {
  const parts = String(text).split('.');
  if (parts.length > 2) {
    throw new WarehouseIdentifierError(`table reference ${JSON.stringify(String(text).slice(0, 80))} must be 'schema.table' or 'table'`);
  }
  const [first, second] = parts as [string, string | undefined];
  const ref: TableRef = second === undefined ? { table: first } : { schema: first, table: second };
  // Not yet tied to a dialect: checked against the looser limit here, the dialect's own when quoted.
  qualifiedTable(ref, 'redshift');
  return ref;
}

/** A table reference from either form: `'schema.table'` / `'table'`, or a {@link TableRef} (validated). */
export function toTableRef(value: string | TableRef): TableRef {
  if (typeof value === 'string') return parseTableRef(value);
  qualifiedTable(value, 'redshift');
  return { ...(value.schema === undefined ? {} : { schema: value.schema }), table: value.table };
}

/** `schema.table` (unquoted) for messages and asset URIs; the schema defaults to `public`. */
export function displayTable(ref: TableRef): string {
  return `${ref.schema ?? DEFAULT_SCHEMA}.${ref.table}`;
}

/** A comma-separated list of quoted column names. @throws WarehouseIdentifierError for an empty list or a bad name. */
export function quoteColumnList(columns: readonly string[], dialect: Dialect): string {
  if (columns.length === 0) throw new WarehouseIdentifierError('at least one column is needed');
  return columns.map((column) => quoteIdent(column, dialect, 'column name')).join(', ');
}

/**
 * Creating the target table of a load from an explicit schema or the crawler's catalog entry, through
 * `renderCreateTable` of `@sluice/plugin-aws` (SUPER for nested values on Redshift, jsonb on Postgres).
 */
import { ValidationError, type CatalogService } from '@sluice/core';
import { REDSHIFT_MAX_VARCHAR, renderCreateTable, sqlType, type Column, type TableSchema } from '@sluice/plugin-aws';
import { z } from 'zod';
import { WarehouseError } from '../errors.js';
import type { WarehouseColumn } from '../hook.js';
import { DEFAULT_SCHEMA, type Dialect, type TableRef } from '../identifiers.js';
import { loadColumnSchema } from './load-options.js';

/** Where the schema of a created table comes from. */
export interface TableSchemaSource {
  /** An explicit schema (already parsed by the transfer's fields). */
  schema?: { columns: readonly Record<string, unknown>[]; partitionKeys?: readonly Record<string, unknown>[] | undefined } | undefined;
  /** A catalog table recorded by the crawler. */
  catalogTable?: { database: string; table: string } | undefined;
}

const catalogColumns = z.array(loadColumnSchema);

/**
 * The schema to create a table from: `source.schema`, or the current version of `source.catalogTable`
 * in `catalog` (columns and partition keys, checked to have the crawler's shape).
 * @throws ValidationError when the catalog has no such table or its columns are not the crawler's.
 */
export async function resolveTableSchema(source: TableSchemaSource, catalog: CatalogService | undefined): Promise<TableSchema> {
  if (source.schema) {
    return { columns: source.schema.columns as unknown as Column[], partitionKeys: (source.schema.partitionKeys ?? []) as unknown as Column[] };
  }
  const ref = source.catalogTable;
  if (!ref) throw new ValidationError("creating a table needs 'schema' or 'catalogTable'", 'createTable');
  if (!catalog) throw new ValidationError('this task context has no catalog (ctx.catalog) to read the table schema from', 'catalogTable');
  const table = await catalog.getTable(ref.database, ref.table);
  if (!table) throw new ValidationError(`catalog table '${ref.database}.${ref.table}' does not exist (run the crawler first)`, 'catalogTable');
  const columns = catalogColumns.safeParse(table.columns);
  const partitionKeys = catalogColumns.safeParse(table.partitionKeys);
  if (!columns.success || !partitionKeys.success) {
    throw new ValidationError(`catalog table '${ref.database}.${ref.table}' does not hold crawler columns ({ name, type })`, 'catalogTable');
  }
  return { columns: columns.data as unknown as Column[], partitionKeys: partitionKeys.data as unknown as Column[] };
}

/**
 * `CREATE TABLE IF NOT EXISTS` for `schema` in `dialect` (a table without a schema name goes to `public`).
 * @throws WarehouseError wrapping the DDL renderer's error (bad identifier, duplicate column).
 */
export function createTableSql(schema: TableSchema, ref: TableRef, dialect: Dialect, varcharLength?: number): string {
  try {
    return renderCreateTable(schema, {
      dialect,
      schemaName: ref.schema ?? DEFAULT_SCHEMA,
      tableName: ref.table,
      varcharLength,
      ifNotExists: true,
    });
  } catch (error) {
    throw new WarehouseError(`cannot create table ${ref.schema ?? DEFAULT_SCHEMA}.${ref.table}: ${(error as Error).message}`, { cause: error });
  }
}

/** `information_schema` data types of the SQL types `sqlType` renders (the ones that differ in spelling). */
const INFORMATION_SCHEMA_TYPE: Readonly<Record<string, string>> = {
  timestamptz: 'timestamp with time zone',
  'double precision': 'double precision',
};

/**
 * The columns a table created from `schema` will have, as {@link WarehouseHook.columns} would report them
 * (so a load can be planned before the table exists, inside the transaction that creates it).
 */
export function schemaColumns(schema: TableSchema, dialect: Dialect, varcharLength = REDSHIFT_MAX_VARCHAR): WarehouseColumn[] {
  return [...schema.columns, ...(schema.partitionKeys ?? [])].map((column) => {
    const type = sqlType(column.type, dialect, varcharLength).toLowerCase();
    const varchar = /^varchar\((\d+)\)$/.exec(type);
    return {
      name: column.name,
      dataType: varchar ? 'character varying' : (INFORMATION_SCHEMA_TYPE[type] ?? type),
      maxLength: varchar ? Number(varchar[1]) : null,
      nullable: true,
    };
  });
}

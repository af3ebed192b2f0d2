import type { Knex } from 'knex';
import { z } from 'zod';
import type { CatalogTable, CatalogTableInput, PutTableResult, SchemaChangePolicy } from '../catalog/types.js';
import { ValidationError } from '../errors.js';
import { rowsOf, toDate, type Queryable } from './rows.js';
import { canonical } from '../canonical-json.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be letters, digits and _ (not starting with a digit)');
const inputSchema = z.object({
  database: identifier,
  name: identifier,
  location: z.string().min(1),
  format: z.string().min(1),
  columns: z.array(z.record(z.string(), z.unknown())),
  partitionKeys: z.array(z.record(z.string(), z.unknown())),
  stats: z.record(z.string(), z.unknown()).optional(),
});

function validate(input: CatalogTableInput): CatalogTableInput {
  const result = inputSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = (issue?.path ?? []).map(String).join('.');
    throw new ValidationError(`catalog table: field '${field}': ${issue?.message ?? 'invalid'}`, field);
  }
  return result.data;
}

function toTable(r: Record<string, unknown>): CatalogTable {
  return {
    database: String(r.database_name),
    name: String(r.table_name),
    version: Number(r.version),
    location: String(r.location),
    format: String(r.format),
    columns: r.columns as Record<string, unknown>[],
    partitionKeys: r.partition_keys as Record<string, unknown>[],
    stats: (r.stats ?? {}) as Record<string, unknown>,
    createdAt: toDate(r.created_at) as Date,
    updatedAt: toDate(r.updated_at ?? r.created_at) as Date,
  };
}

const CURRENT = `SELECT v.database_name, v.table_name, v.version, v.location, v.format, v.columns, v.partition_keys,
    t.stats, t.created_at, t.updated_at
  FROM sluice_catalog_tables t JOIN sluice_catalog_table_versions v
    ON v.database_name = t.database_name AND v.table_name = t.table_name AND v.version = t.current_version
  WHERE t.database_name = ? AND t.table_name = ?`;

/** The current version of a catalog table, or undefined. */
export async function getCatalogTable(db: Queryable, database: string, name: string): Promise<CatalogTable | undefined> {
  const row = rowsOf(await db.raw(CURRENT, [database, name]))[0];
  return row ? toTable(row) : undefined;
}

/** Every version of a catalog table, oldest first (each with the stats of the crawl that created it). */
export async function listCatalogTableVersions(db: Queryable, database: string, name: string): Promise<CatalogTable[]> {
  const rows = rowsOf(
    await db.raw(
      `SELECT database_name, table_name, version, location, format, columns, partition_keys, stats, created_at, created_at AS updated_at
       FROM sluice_catalog_table_versions WHERE database_name = ? AND table_name = ? ORDER BY version`,
      [database, name],
    ),
  );
  return rows.map(toTable);
}

/** Every catalog table's current version. */
export async function listCatalogTables(db: Queryable): Promise<CatalogTable[]> {
  const rows = rowsOf(
    await db.raw(`SELECT v.database_name, v.table_name, v.version, v.location, v.format, v.columns, v.partition_keys, t.stats, t.created_at, t.updated_at
      FROM sluice_catalog_tables t JOIN sluice_catalog_table_versions v
        ON v.database_name = t.database_name AND v.table_name = t.table_name AND v.version = t.current_version
      ORDER BY t.database_name, t.table_name`),
  );
  return rows.map(toTable);
}

// Canonical: the stored columns come back from jsonb with their keys reordered.
const schemaKey = (t: Pick<CatalogTableInput, 'location' | 'format' | 'columns' | 'partitionKeys'>): string =>
  JSON.stringify(canonical([t.location, t.format, t.columns, t.partitionKeys]));

/**
 * Records a crawl in one transaction (the table row is locked, so concurrent crawls serialise): a new table
 * gets version 1; a changed schema (columns, partition keys, location or format) gets a new version under
 * policy `update`, or is only reported under `log`; stats are refreshed either way.
 */
export async function putCatalogTable(knex: Knex, input: CatalogTableInput, policy: SchemaChangePolicy = 'update'): Promise<PutTableResult> {
  const t = validate(input);
  const stats = JSON.stringify(t.stats ?? {});
  return knex.transaction(async (trx) => {
    const created = rowsOf(
      await trx.raw(
        `INSERT INTO sluice_catalog_tables (database_name, table_name, current_version, stats) VALUES (?, ?, 1, ?::jsonb)
         ON CONFLICT DO NOTHING RETURNING table_name`,
        [t.database, t.name, stats],
      ),
    );
    if (created.length > 0) {
      await trx.raw(
        `INSERT INTO sluice_catalog_table_versions (database_name, table_name, version, location, format, columns, partition_keys, stats)
         VALUES (?, ?, 1, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)`,
        [t.database, t.name, t.location, t.format, JSON.stringify(t.columns), JSON.stringify(t.partitionKeys), stats],
      );
      return { table: (await getCatalogTable(trx, t.database, t.name)) as CatalogTable, schemaChanged: true, versionCreated: true };
    }
    await trx.raw(`SELECT 1 FROM sluice_catalog_tables WHERE database_name = ? AND table_name = ? FOR UPDATE`, [t.database, t.name]);
    const current = (await getCatalogTable(trx, t.database, t.name)) as CatalogTable;
    const schemaChanged = schemaKey(current) !== schemaKey(t);
    const versionCreated = schemaChanged && policy === 'update';
    if (versionCreated) {
      await trx.raw(
        `INSERT INTO sluice_catalog_table_versions (database_name, table_name, version, location, format, columns, partition_keys, stats)
         VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)`,
        [t.database, t.name, current.version + 1, t.location, t.format, JSON.stringify(t.columns), JSON.stringify(t.partitionKeys), stats],
      );
    }
    await trx.raw(
      `UPDATE sluice_catalog_tables SET stats = ?::jsonb, updated_at = now(), current_version = ? WHERE database_name = ? AND table_name = ?`,
      [stats, versionCreated ? current.version + 1 : current.version, t.database, t.name],
    );
    return { table: (await getCatalogTable(trx, t.database, t.name)) as CatalogTable, schemaChanged, versionCreated };
  });
}

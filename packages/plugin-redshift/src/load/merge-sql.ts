/**
 * SQL of the `merge` load mode: de-duplicate the stage (Redshift enforces no keys, so a stage may hold
 * several rows per key) into a second temp table, count the keys already in the target, then `MERGE`.
 * Both Postgres 15+ and Redshift run this text.
 */
import { ValidationError } from '@sluice/core';
import { qualifiedTable, quoteColumnList, quoteIdent, type Dialect, type TableRef } from '../identifiers.js';

/** Extra stage column holding the load order on Postgres (the later row wins a tie). */
export const LOAD_SEQ_COLUMN = '__sluice_load_seq';

/** Alias of the de-duplicated source in the MERGE (unlikely to clash with a table name). */
const SOURCE_ALIAS = '__sluice_src';

/** What the merge statements need. */
export interface MergeSqlSpec {
  dialect: Dialect;
  target: TableRef;
  /** The loaded columns (the stage holds them, plus {@link LOAD_SEQ_COLUMN} when `loadOrder`). */
  columns: readonly string[];
  keys: readonly string[];
  /** Greatest value wins among rows with one key. */
  dedupeOrderBy?: string | undefined;
  /** The stage has {@link LOAD_SEQ_COLUMN}: the later-loaded row wins a tie. */
  loadOrder: boolean;
  stage: TableRef;
  /** Temp table the de-duplicated rows go to. */
  source: TableRef;
}

/** The statements of a merge after the stage is loaded, each with its role. */
export interface MergeSql {
  /** `CREATE TEMP TABLE source (LIKE target)`. */
  createSource: string;
  /** Keeps one row per key: `INSERT INTO source … ROW_NUMBER() … WHERE rank = 1`. */
  dedupe: string;
  /** `SELECT count(*) AS n` of de-duplicated rows whose key is already in the target (the rows MERGE updates). */
  countMatched: string;
  /** `MERGE INTO target USING source …`: update the matched keys, insert the others. */
  merge: string;
  /** `DROP TABLE source`. */
  dropSource: string;
}

/**
 * The merge statements. Without `dedupeOrderBy` and `loadOrder` the winner among duplicates would be
 * arbitrary, so that combination is refused.
 * @throws ValidationError when no deterministic order exists, a key is not a loaded column, or every
 *   column is a key; WarehouseIdentifierError for a bad name.
 */
export function renderMergeSql(spec: MergeSqlSpec): MergeSql {
  const { dialect } = spec;
  const lowered = new Set(spec.columns.map((c) => c.toLowerCase()));
  for (const key of spec.keys) {
    if (!lowered.has(key.toLowerCase())) throw new ValidationError(`merge key '${key}' is not a loaded column`, 'mergeKeys');
  }
  const order: string[] = [];
  if (spec.dedupeOrderBy !== undefined) order.push(`${quoteIdent(spec.dedupeOrderBy, dialect, 'column name')} DESC NULLS LAST`);
  if (spec.loadOrder) order.push(`${quoteIdent(LOAD_SEQ_COLUMN, dialect)} DESC`);
  if (order.length === 0) {
    throw new ValidationError('merge on Redshift needs dedupeOrderBy: the stage has no load order to pick the winner among duplicate keys', 'dedupeOrderBy');
  }
  const target = qualifiedTable(spec.target, dialect);
  const stage = qualifiedTable(spec.stage, dialect);
  const source = qualifiedTable(spec.source, dialect);
  const cols = quoteColumnList(spec.columns, dialect);
  const keys = quoteColumnList(spec.keys, dialect);
  // Redshift's MERGE takes no alias for the target: its columns are named through the table itself.
  const src = quoteIdent(SOURCE_ALIAS, dialect);
  const on = spec.keys.map((k) => `${target}.${quoteIdent(k, dialect)} = ${src}.${quoteIdent(k, dialect)}`).join(' AND ');
  const keySet = new Set(spec.keys.map((k) => k.toLowerCase()));
  const updated = spec.columns.filter((c) => !keySet.has(c.toLowerCase()));
  // Redshift's MERGE needs both clauses; with every column a key, the update rewrites the key to itself.
  const setList = (updated.length > 0 ? updated : [spec.keys[0] as string]).map((c) => `${quoteIdent(c, dialect)} = ${src}.${quoteIdent(c, dialect)}`).join(', ');
  const values = spec.columns.map((c) => `${src}.${quoteIdent(c, dialect)}`).join(', ');
  const rank = quoteIdent('__sluice_rank', dialect);
  return {
    createSource: `CREATE TEMP TABLE ${source} (LIKE ${target})`,
    dedupe:
      `INSERT INTO ${source} (${cols}) SELECT ${cols} FROM ` +
      `(SELECT ${cols}, ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY ${order.join(', ')}) AS ${rank} FROM ${stage}) AS ranked ` +
      `WHERE ${rank} = 1`,
    countMatched: `SELECT count(*) AS n FROM ${source} AS ${src} JOIN ${target} ON ${on}`,
    merge:
      `MERGE INTO ${target} USING ${source} AS ${src} ON ${on} ` +
      `WHEN MATCHED THEN UPDATE SET ${setList} ` +
      `WHEN NOT MATCHED THEN INSERT (${cols}) VALUES (${values})`,
    dropSource: `DROP TABLE ${source}`,
  };
}

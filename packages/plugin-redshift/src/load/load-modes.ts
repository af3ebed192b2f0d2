/**
 * The statements of each load mode around the COPY, as one plan that runs in one transaction:
 * - `append`: COPY into the target.
 * - `replace-partition`: COPY into a temp stage; check every staged row is in the partition; delete the
 *   partition from the target; insert the stage.
 * - `merge`: COPY into a temp stage; check no staged row has a NULL key; de-duplicate; MERGE (see
 *   {@link renderMergeSql}).
 * A rerun of the same interval therefore leaves the table as one run would.
 */
import { ValidationError } from '@sluice/core';
import { qualifiedTable, quoteColumnList, quoteIdent, type Dialect, type TableRef } from '../identifiers.js';
import type { LoadMode } from './load-options.js';
import { LOAD_SEQ_COLUMN, renderMergeSql } from './merge-sql.js';

/** Temp table the rows are copied into before replace-partition / merge. */
export const STAGE_TABLE = 'sluice_load_stage';
/** Temp table holding the de-duplicated stage of a merge. */
export const MERGE_SOURCE_TABLE = 'sluice_load_merge_source';

/** What a statement's result means for the load's counts. */
export type StatementRole = 'outside' | 'null-keys' | 'deleted' | 'inserted' | 'deduped' | 'matched' | 'merged';

/** One statement of a plan, with bound values and the role of its result. */
export interface LoadStatement {
  text: string;
  values?: readonly unknown[];
  role?: StatementRole;
  /** What the statement checks, for messages (e.g. the partition). */
  label?: string;
}

/** The statements before and after the COPY, and where the COPY writes. */
export interface LoadPlan {
  before: LoadStatement[];
  /** The table COPY writes into: the target, or the stage. */
  copyInto: TableRef;
  /** Columns COPY fills (the loaded columns, plus {@link LOAD_SEQ_COLUMN} for a Postgres merge). */
  copyColumns: string[];
  /** COPY must also fill {@link LOAD_SEQ_COLUMN} with the load order. */
  loadOrder: boolean;
  after: LoadStatement[];
}

/** The partition a replace-partition load replaces: one value, or a half-open range `[from, to)`. */
export type PartitionFilter = { column: string; equals: string } | { column: string; from: string; to: string };

/** What {@link planLoad} needs. */
export interface LoadPlanSpec {
  dialect: Dialect;
  target: TableRef;
  /** The loaded columns (the COPY column list). */
  columns: readonly string[];
  mode: LoadMode;
  partition?: PartitionFilter | undefined;
  mergeKeys?: readonly string[] | undefined;
  dedupeOrderBy?: string | undefined;
  /** `CREATE TABLE` to run first, in the same transaction (the table does not exist yet). */
  createTable?: string | undefined;
}

function partitionCondition(filter: PartitionFilter, dialect: Dialect): { sql: string; values: string[] } {
  const column = quoteIdent(filter.column, dialect, 'column name');
  return 'equals' in filter
    ? { sql: `${column} = $1`, values: [filter.equals] }
    : { sql: `${column} >= $1 AND ${column} < $2`, values: [filter.from, filter.to] };
}

/**
 * The plan of a load. Nothing runs here: the operator runs `before`, the COPY, then `after`, in one
 * transaction.
 * @throws ValidationError for a mode without its options; WarehouseIdentifierError for a bad name.
 */
export function planLoad(spec: LoadPlanSpec): LoadPlan {
  const plan = planMode(spec);
  if (spec.createTable !== undefined) plan.before.unshift({ text: spec.createTable });
  return plan;
}

function planMode(spec: LoadPlanSpec): LoadPlan {
  const { dialect } = spec;
  const target = qualifiedTable(spec.target, dialect);
  const columns = [...spec.columns];
  const cols = quoteColumnList(columns, dialect);
  const stageRef: TableRef = { table: STAGE_TABLE };
  const stage = qualifiedTable(stageRef, dialect);
  // Postgres: two loads of one table at once would each miss the other's new rows (READ COMMITTED), so
  // writers queue; readers are not blocked. Redshift's serializable isolation aborts one of them instead.
  const lock: LoadStatement[] = dialect === 'postgres' ? [{ text: `LOCK TABLE ${target} IN SHARE ROW EXCLUSIVE MODE` }] : [];
  const createStage: LoadStatement = { text: `CREATE TEMP TABLE ${stage} (LIKE ${target})` };
  const dropStage: LoadStatement = { text: `DROP TABLE ${stage}` };

  switch (spec.mode) {
    case 'append':
      return { before: [], copyInto: spec.target, copyColumns: columns, loadOrder: false, after: [] };
    case 'replace-partition': {
      if (!spec.partition) throw new ValidationError("mode 'replace-partition' needs a partition", 'partition');
      const condition = partitionCondition(spec.partition, dialect);
      const column = quoteIdent(spec.partition.column, dialect, 'column name');
      return {
        before: [...lock, createStage],
        copyInto: stageRef,
        copyColumns: columns,
        loadOrder: false,
        after: [
          {
            text: `SELECT count(*) AS n FROM ${stage} WHERE ${column} IS NULL OR NOT (${condition.sql})`,
            values: condition.values,
            role: 'outside',
            label: 'equals' in spec.partition ? `${spec.partition.column} = ${spec.partition.equals}` : `${spec.partition.column} in [${spec.partition.from}, ${spec.partition.to})`,
          },
          { text: `DELETE FROM ${target} WHERE ${condition.sql}`, values: condition.values, role: 'deleted' },
          { text: `INSERT INTO ${target} (${cols}) SELECT ${cols} FROM ${stage}`, role: 'inserted' },
          dropStage,
        ],
      };
    }
    case 'merge': {
      if (!spec.mergeKeys || spec.mergeKeys.length === 0) throw new ValidationError("mode 'merge' needs mergeKeys", 'mergeKeys');
      const loadOrder = dialect === 'postgres';
      const merge = renderMergeSql({
        dialect,
        target: spec.target,
        columns,
        keys: spec.mergeKeys,
        dedupeOrderBy: spec.dedupeOrderBy,
        loadOrder,
        stage: stageRef,
        source: { table: MERGE_SOURCE_TABLE },
      });
      const nullKeys = spec.mergeKeys.map((key) => `${quoteIdent(key, dialect, 'column name')} IS NULL`).join(' OR ');
      const before = [...lock, createStage];
      if (loadOrder) before.push({ text: `ALTER TABLE ${stage} ADD COLUMN ${quoteIdent(LOAD_SEQ_COLUMN, dialect)} bigint` });
      return {
        before,
        copyInto: stageRef,
        copyColumns: loadOrder ? [...columns, LOAD_SEQ_COLUMN] : columns,
        loadOrder,
        after: [
          // A NULL key never matches, so such a row would be inserted again by every rerun.
          { text: `SELECT count(*) AS n FROM ${stage} WHERE ${nullKeys}`, role: 'null-keys' },
          { text: merge.createSource },
          { text: merge.dedupe, role: 'deduped' },
          { text: merge.countMatched, role: 'matched' },
          { text: merge.merge, role: 'merged' },
          { text: merge.dropSource },
          dropStage,
        ],
      };
    }
  }
}

/**
 * Data quality checks after a load: `redshift.row-count-check` (enough rows, optionally not too many),
 * `redshift.unique-key-check` (no duplicate keys) and `redshift.not-null-check`. Each can be limited to
 * one partition (a column equal to a bound value) or to the run's data interval (a timestamp column bound
 * to `[data_interval_start, data_interval_end)`). No SQL fragment is ever taken from fields: columns are
 * quoted identifiers, values are bound. Each fails with a {@link DataQualityError} holding the numbers.
 */
import { defineOperator, type TaskContext } from '@sluice/core';
import { z } from 'zod';
import { DEFAULT_WAREHOUSE_CONNECTION_ID } from '../connection.js';
import { DataQualityError, WarehouseIdentifierError } from '../errors.js';
import { WarehouseHook } from '../hook.js';
import { displayTable, qualifiedTable, quoteIdent, toTableRef, type Dialect, type TableRef } from '../identifiers.js';

/** A table field: `'schema.table'`, `'table'` (templates allowed) or `{ schema, table }`. */
export const tableField = z.union([z.string().min(1), z.object({ schema: z.string().min(1).optional(), table: z.string().min(1) })]);

/** A value a partition column is compared with (bound, never interpolated). */
const partitionValue = z.union([z.string(), z.number(), z.boolean()]);

/** Fields every check shares: connection, table and an optional partition or interval filter. */
export const scopeFields = {
  connId: z.string().min(1).default(DEFAULT_WAREHOUSE_CONNECTION_ID),
  table: tableField,
  /** Only rows whose `partitionColumn` equals `partitionValue` (e.g. `dt` = `'{{ ds }}'`). */
  partitionColumn: z.string().min(1).optional(),
  /** The partition's value (template), bound as a parameter. */
  partitionValue: partitionValue.optional(),
  /** Only rows whose `intervalColumn` lies in the run's data interval `[start, end)` (bound timestamps). */
  intervalColumn: z.string().min(1).optional(),
};

/** The scope of a check, as the fields give it. */
export interface CheckScope {
  table: string | TableRef;
  partitionColumn?: string | undefined;
  partitionValue?: string | number | boolean | undefined;
  intervalColumn?: string | undefined;
}

/** A WHERE clause (possibly empty) with its bound values, and a description for messages. */
export interface ScopeFilter {
  ref: TableRef;
  /** `""` or ` WHERE …` with `$n` placeholders starting at `$1`. */
  where: string;
  values: unknown[];
  /** E.g. `public.events where dt = "2026-01-01"`. */
  description: string;
}

/** Refines a fields schema: partitionColumn needs partitionValue and the reverse. */
export function refineScope(value: { partitionColumn?: string | undefined; partitionValue?: unknown }, issue: z.RefinementCtx): void {
  if ((value.partitionColumn === undefined) !== (value.partitionValue === undefined)) {
    issue.addIssue({ code: 'custom', path: ['partitionValue'], message: 'give partitionColumn and partitionValue together' });
  }
}

/**
 * The filter of a check's scope: a partition column equal to a bound value, and/or a timestamp column in
 * the run's data interval. @throws WarehouseIdentifierError for a bad table or column name.
 */
export function scopeFilter(scope: CheckScope, dialect: Dialect, ctx: Pick<TaskContext, 'dataIntervalStart' | 'dataIntervalEnd'>): ScopeFilter {
  const ref = toTableRef(scope.table);
  qualifiedTable(ref, dialect);
  const clauses: string[] = [];
  const values: unknown[] = [];
  const described: string[] = [];
  if (scope.partitionColumn !== undefined && scope.partitionValue !== undefined) {
    values.push(scope.partitionValue);
    clauses.push(`${quoteIdent(scope.partitionColumn, dialect, 'partition column')} = $${values.length}`);
    described.push(`${scope.partitionColumn} = ${JSON.stringify(scope.partitionValue)}`);
  }
  if (scope.intervalColumn !== undefined) {
    const column = quoteIdent(scope.intervalColumn, dialect, 'interval column');
    // ISO strings with `Z`: right for timestamptz, UTC wall time for timestamp and date columns.
    values.push(ctx.dataIntervalStart.toISOString(), ctx.dataIntervalEnd.toISOString());
    clauses.push(`${column} >= $${values.length - 1} AND ${column} < $${values.length}`);
    described.push(`${scope.intervalColumn} in [${ctx.dataIntervalStart.toISOString()}, ${ctx.dataIntervalEnd.toISOString()})`);
  }
  return {
    ref,
    where: clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`,
    values,
    description: `${displayTable(ref)}${described.length === 0 ? '' : ` where ${described.join(' and ')}`}`,
  };
}

/** `SELECT COUNT(*) AS n …` over a scope; bind `filter.values`. Plain SQL both dialects run. */
export function rowCountSql(filter: ScopeFilter, dialect: Dialect): string {
  return `SELECT COUNT(*) AS n FROM ${qualifiedTable(filter.ref, dialect)}${filter.where}`;
}

/**
 * The two queries of the unique key check over a scope (bind `filter.values` to both): `totals` (rows,
 * duplicate keys, rows holding them) and `examples` (up to {@link SHOWN_DUPLICATES} duplicate keys, as
 * text, most frequent first). Key columns are aliased `k0`, `k1`, …; no Postgres-only syntax.
 */
export function uniqueKeySql(filter: ScopeFilter, keyColumns: readonly string[], dialect: Dialect): { totals: string; examples: string } {
  const keys = keyColumns.map((c) => quoteIdent(c, dialect, 'key column'));
  if (keys.length === 0) throw new WarehouseIdentifierError('at least one key column is needed');
  const aliases = keys.map((_, i) => `k${i}`);
  const grouped = `SELECT ${keys.map((k, i) => `${k} AS ${aliases[i]}`).join(', ')}, COUNT(*) AS n FROM ${qualifiedTable(filter.ref, dialect)}${filter.where} GROUP BY ${keys.join(', ')}`;
  return {
    totals:
      'SELECT SUM(n) AS total_rows, SUM(CASE WHEN n > 1 THEN 1 ELSE 0 END) AS dup_keys, SUM(CASE WHEN n > 1 THEN n ELSE 0 END) AS dup_rows ' +
      `FROM (${grouped}) g`,
    examples:
      `SELECT ${aliases.map((a) => `CAST(${a} AS VARCHAR(256)) AS ${a}`).join(', ')}, n FROM (${grouped}) g ` +
      `WHERE n > 1 ORDER BY n DESC, ${aliases.join(', ')} LIMIT ${SHOWN_DUPLICATES}`,
  };
}

/** `SELECT COUNT(*) AS n, SUM(CASE WHEN "col" IS NULL …) AS c0, …` over a scope (no `FILTER`, which Redshift lacks). */
export function notNullSql(filter: ScopeFilter, columns: readonly string[], dialect: Dialect): string {
  if (columns.length === 0) throw new WarehouseIdentifierError('at least one column is needed');
  const sums = columns.map((c, i) => `SUM(CASE WHEN ${quoteIdent(c, dialect, 'column name')} IS NULL THEN 1 ELSE 0 END) AS c${i}`);
  return `SELECT COUNT(*) AS n, ${sums.join(', ')} FROM ${qualifiedTable(filter.ref, dialect)}${filter.where}`;
}

/** Counts the rows in a scope. */
export async function countRows(hook: WarehouseHook, filter: ScopeFilter): Promise<number> {
  const result = await hook.query<{ n: string | number }>(rowCountSql(filter, hook.dialect), filter.values);
  return Number(result.rows[0]?.n ?? 0);
}

async function withCheckHook<T>(ctx: TaskContext, connId: string, fn: (hook: WarehouseHook) => Promise<T>): Promise<T> {
  const hook = await WarehouseHook.fromContext(ctx, connId, { poolMax: 1 });
  try {
    return await fn(hook);
  } finally {
    await hook.close();
  }
}

async function requireTable(hook: WarehouseHook, check: string, ref: TableRef): Promise<void> {
  if (!(await hook.tableExists(ref))) {
    throw new DataQualityError(`${check}: table ${displayTable(ref)} does not exist`, { exists: false });
  }
}

/** Fields of {@link rowCountCheck}. */
export const rowCountCheckFields = z
  .object({
    ...scopeFields,
    /** Fewest rows accepted. Default 1. */
    minRows: z.number().int().min(0).default(1),
    /** Most rows accepted, when set. */
    maxRows: z.number().int().min(0).optional(),
  })
  .superRefine(refineScope)
  .refine((f) => f.maxRows === undefined || f.maxRows >= f.minRows, { path: ['maxRows'], message: 'maxRows must be at least minRows' });

/** Output of {@link rowCountCheck}. */
export interface RowCountCheckOutput {
  table: string;
  rowCount: number;
  minRows: number;
  maxRows?: number;
}

/**
 * Fails unless the table (or its partition / data interval) holds between `minRows` and `maxRows` rows.
 *
 * ```ts
 * d.task('check_count', rowCountCheck({ table: 'analytics.events', partitionColumn: 'dt', partitionValue: '{{ ds }}', minRows: 1000 }));
 * ```
 */
export const rowCountCheck = defineOperator({
  name: 'redshift.row-count-check',
  fields: rowCountCheckFields,
  templateFields: ['table', 'partitionValue'],
  async execute(ctx, fields): Promise<RowCountCheckOutput> {
    return withCheckHook(ctx, fields.connId, async (hook) => {
      const filter = scopeFilter(fields, hook.dialect, ctx);
      await requireTable(hook, 'row count check', filter.ref);
      const rowCount = await countRows(hook, filter);
      const output: RowCountCheckOutput = { table: displayTable(filter.ref), rowCount, minRows: fields.minRows };
      if (fields.maxRows !== undefined) output.maxRows = fields.maxRows;
      ctx.log.info('row count', { ...output });
      if (rowCount < fields.minRows) {
        throw new DataQualityError(`row count check on ${filter.description}: ${rowCount} rows, expected at least ${fields.minRows}`, { ...output });
      }
      if (fields.maxRows !== undefined && rowCount > fields.maxRows) {
        throw new DataQualityError(`row count check on ${filter.description}: ${rowCount} rows, expected at most ${fields.maxRows}`, { ...output });
      }
      return output;
    });
  },
});

/** Duplicate keys shown in a failure message. */
export const SHOWN_DUPLICATES = 5;

/** Fields of {@link uniqueKeyCheck}. */
export const uniqueKeyCheckFields = z.object({ ...scopeFields, keyColumns: z.array(z.string().min(1)).min(1) }).superRefine(refineScope);

/** Output of {@link uniqueKeyCheck}. */
export interface UniqueKeyCheckOutput {
  table: string;
  keyColumns: string[];
  /** Rows checked. */
  rowCount: number;
  /** Key values that occur more than once. */
  duplicateKeys: number;
  /** Rows holding those key values. */
  duplicateRows: number;
}

function showValue(value: unknown): string {
  if (value === null) return 'NULL';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Fails when a key (one or more columns) occurs more than once; the message shows the count and up to
 * five duplicate key values with their counts. NULL keys group together (as in GROUP BY), so two rows
 * with a NULL key count as duplicates; use {@link notNullCheck} to refuse NULL keys outright.
 */
export const uniqueKeyCheck = defineOperator({
  name: 'redshift.unique-key-check',
  fields: uniqueKeyCheckFields,
  templateFields: ['table', 'partitionValue'],
  async execute(ctx, fields): Promise<UniqueKeyCheckOutput> {
    return withCheckHook(ctx, fields.connId, async (hook) => {
      const filter = scopeFilter(fields, hook.dialect, ctx);
      const sql = uniqueKeySql(filter, fields.keyColumns, hook.dialect);
      await requireTable(hook, 'unique key check', filter.ref);
      const totals = await hook.query<{ total_rows: string | null; dup_keys: string | null; dup_rows: string | null }>(sql.totals, filter.values);
      const row = totals.rows[0];
      const output: UniqueKeyCheckOutput = {
        table: displayTable(filter.ref),
        keyColumns: fields.keyColumns,
        rowCount: Number(row?.total_rows ?? 0),
        duplicateKeys: Number(row?.dup_keys ?? 0),
        duplicateRows: Number(row?.dup_rows ?? 0),
      };
      ctx.log.info('unique key check', { ...output });
      if (output.duplicateKeys === 0) return output;
      const examples = await hook.query<Record<string, unknown>>(sql.examples, filter.values);
      const shown = examples.rows
        .map((r) => `(${fields.keyColumns.map((_, i) => showValue(r[`k${i}`])).join(', ')}) ×${Number(r['n'])}`)
        .join(', ');
      throw new DataQualityError(
        `unique key check on ${filter.description}: ${output.duplicateKeys} duplicate key(s) over ${output.duplicateRows} rows ` +
          `in key (${fields.keyColumns.join(', ')}); e.g. ${shown}`,
        { ...output },
      );
    });
  },
});

/** Fields of {@link notNullCheck}. */
export const notNullCheckFields = z.object({ ...scopeFields, columns: z.array(z.string().min(1)).min(1) }).superRefine(refineScope);

/** Output of {@link notNullCheck}. */
export interface NotNullCheckOutput {
  table: string;
  rowCount: number;
  /** NULLs per column. */
  nullCounts: Record<string, number>;
}

/** Fails when any of `columns` holds a NULL; the message lists the columns and their NULL counts. */
export const notNullCheck = defineOperator({
  name: 'redshift.not-null-check',
  fields: notNullCheckFields,
  templateFields: ['table', 'partitionValue'],
  async execute(ctx, fields): Promise<NotNullCheckOutput> {
    return withCheckHook(ctx, fields.connId, async (hook) => {
      const filter = scopeFilter(fields, hook.dialect, ctx);
      const sql = notNullSql(filter, fields.columns, hook.dialect);
      await requireTable(hook, 'not null check', filter.ref);
      const result = await hook.query<Record<string, string | number | null>>(sql, filter.values);
      const row = result.rows[0] ?? {};
      const nullCounts = Object.fromEntries(fields.columns.map((c, i) => [c, Number(row[`c${i}`] ?? 0)]));
      const output: NotNullCheckOutput = { table: displayTable(filter.ref), rowCount: Number(row['n'] ?? 0), nullCounts };
      ctx.log.info('not null check', { ...output });
      const failing = Object.entries(nullCounts).filter(([, n]) => n > 0);
      if (failing.length > 0) {
        throw new DataQualityError(
          `not null check on ${filter.description}: ${failing.map(([c, n]) => `${c} has ${n} NULL(s)`).join(', ')} in ${output.rowCount} rows`,
          { ...output },
        );
      }
      return output;
    });
  },
});

/**
 * Transfer `redshift.s3-to-redshift`: loads staged S3 objects (JSON or CSV, gzip too) into a Redshift or
 * Postgres table, appending, replacing a partition or merging on keys, in one transaction.
 */
import { defineOperator, ValidationError, type TaskContext } from '@sluice/core';
import { S3Hook, validateBucketName } from '@sluice/plugin-aws';
import { WarehouseHook, type WarehouseColumn } from '../hook.js';
import { displayTable, toTableRef, type TableRef } from '../identifiers.js';
import { createTableSql, resolveTableSchema, schemaColumns } from '../load/create-table.js';
import { executeLoadPlan, type PlanCounts } from '../load/execute-plan.js';
import { RowMapper } from '../load/json-to-row.js';
import { readRedshiftLoadError } from '../load/load-errors.js';
import { planLoad, type LoadPlan, type PartitionFilter } from '../load/load-modes.js';
import { s3ToRedshiftFields, type S3ToRedshiftFields } from '../load/load-options.js';
import { copyObjectsToPostgres } from '../load/postgres-copy.js';
import { renderRedshiftCopy } from '../load/redshift-copy-sql.js';
import { gzipDecision, listSourceKeys, readJsonPaths, writeManifest } from '../load/source-objects.js';

/** Output of {@link s3ToRedshift}. */
export interface S3ToRedshiftOutput {
  /** `schema.table`. */
  table: string;
  dialect: 'redshift' | 'postgres';
  mode: S3ToRedshiftFields['mode'];
  /** Rows the COPY read from S3. */
  rowsLoaded: number;
  rowsInserted: number;
  /** Rows a merge updated (0 in the other modes). */
  rowsUpdated: number;
  /** Rows replace-partition deleted (0 in the other modes). */
  rowsDeleted: number;
  /** Staged rows a merge dropped as duplicates of a key. */
  duplicatesDropped: number;
  objectsRead: number;
  /** Values cut to their column's width (Postgres; `null` on Redshift, whose TRUNCATECOLUMNS reports none). */
  truncatedValues: number | null;
  /** The table was created by this run. */
  tableCreated: boolean;
  /** `s3://` URL of the COPY manifest (Redshift). */
  manifest?: string;
  /** URI of the asset event published. */
  assetUri: string;
}

const OPERATOR = 'operator redshift.s3-to-redshift';

/** The table's column named `name`: exactly, else case-insensitively. @throws ValidationError when there is none. */
function findColumn(tableColumns: readonly WarehouseColumn[], name: string, table: TableRef, field: string): WarehouseColumn {
  const column = tableColumns.find((c) => c.name === name) ?? tableColumns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (!column) throw new ValidationError(`${OPERATOR}: table ${displayTable(table)} has no column '${name}'`, field);
  return column;
}

/** The loaded columns with their table metadata: `columns` matched case-insensitively, or all of them. */
function loadedColumns(tableColumns: readonly WarehouseColumn[], wanted: readonly string[] | undefined, table: TableRef): WarehouseColumn[] {
  if (tableColumns.length === 0) throw new ValidationError(`${OPERATOR}: table ${displayTable(table)} does not exist (set createTable: 'if-missing')`, 'table');
  if (!wanted) return [...tableColumns];
  return wanted.map((name) => findColumn(tableColumns, name, table, 'columns'));
}

function partitionFilter(ctx: TaskContext, fields: S3ToRedshiftFields, columns: readonly WarehouseColumn[], table: TableRef): PartitionFilter | undefined {
  if (fields.mode !== 'replace-partition' || !fields.partition) return undefined;
  const column = findColumn(columns, fields.partition.column, table, 'partition.column').name;
  const { value } = fields.partition;
  return value === undefined
    ? { column, from: ctx.dataIntervalStart.toISOString(), to: ctx.dataIntervalEnd.toISOString() }
    : { column, equals: value };
}

async function runPostgres(
  hook: WarehouseHook,
  s3: S3Hook,
  plan: LoadPlan,
  columns: WarehouseColumn[],
  keys: string[],
  fields: S3ToRedshiftFields,
  ctx: TaskContext,
): Promise<PlanCounts & { truncatedValues: number }> {
  if (fields.maxError > 0) throw new ValidationError(`${OPERATOR}: maxError > 0 is Redshift only; on Postgres any refused row fails the load`, 'maxError');
  if (fields.timeFormat !== undefined && !['auto', 'epochsecs', 'epochmillisecs'].includes(fields.timeFormat)) {
    throw new ValidationError(`${OPERATOR}: on Postgres timeFormat must be auto, epochsecs or epochmillisecs`, 'timeFormat');
  }
  const jsonPaths = fields.jsonPaths === undefined ? undefined : await readJsonPaths(s3, fields.jsonPaths);
  let mapper: RowMapper;
  try {
    mapper = new RowMapper({ columns, longText: fields.longText, timeFormat: fields.timeFormat, jsonPaths });
  } catch (error) {
    throw new ValidationError(`${OPERATOR}: ${(error as Error).message}`, 'jsonPaths', undefined, { cause: error });
  }
  const gzip = gzipDecision(keys, fields.gzip, false);
  const counts = await hook.withClient((client) =>
    executeLoadPlan(client, plan, (c) =>
      copyObjectsToPostgres(c, {
        s3,
        bucket: fields.bucket,
        keys,
        into: plan.copyInto,
        copyColumns: plan.copyColumns,
        loadOrder: plan.loadOrder,
        mapper,
        format: fields.format,
        csv: fields.csv,
        gzip,
        signal: ctx.signal,
      }),
    ),
    { signal: ctx.signal },
  );
  return { ...counts, truncatedValues: mapper.truncated };
}

async function runRedshift(
  hook: WarehouseHook,
  s3: S3Hook,
  plan: LoadPlan,
  keys: string[],
  fields: S3ToRedshiftFields,
  ctx: TaskContext,
): Promise<PlanCounts & { manifest?: string }> {
  const iamRole = fields.iamRole ?? hook.settings.iamRole;
  if (!iamRole) throw new ValidationError(`${OPERATOR}: Redshift's COPY needs an IAM role: set 'iamRole' or the connection's extra iam_role`, 'iamRole');
  const gzip = keys.length > 0 && gzipDecision(keys, fields.gzip, true)(keys[0] as string);
  const manifest = keys.length > 0 ? await writeManifest(s3, fields.bucket, keys) : undefined;
  const copySql =
    manifest === undefined
      ? undefined
      : renderRedshiftCopy({
          table: plan.copyInto,
          columns: plan.copyColumns,
          from: manifest,
          manifest: true,
          iamRole,
          format: fields.format === 'json' ? { kind: 'json', jsonPaths: fields.jsonPaths } : { kind: 'csv', ...fields.csv },
          gzip,
          timeFormat: fields.timeFormat,
          maxError: fields.maxError,
          region: fields.region ?? hook.settings.region,
          truncateColumns: fields.longText === 'truncate',
        });
  // Start of the COPY's transaction: errors logged before it belong to earlier loads on this session.
  let since: string | undefined;
  const counts = await hook.withClient((client) =>
    executeLoadPlan(
      client,
      plan,
      async (c) => {
        if (copySql === undefined) return { rowsCopied: 0, objectsRead: 0 };
        const started = await c.query<{ t: string }>(`SELECT TO_CHAR(SYSDATE, 'YYYY-MM-DD HH24:MI:SS') AS t`);
        since = started.rows[0]?.t;
        await c.query(copySql);
        const copied = await c.query<{ n: string | number }>('SELECT pg_last_copy_count() AS n');
        return { rowsCopied: Number(copied.rows[0]?.n ?? 0), objectsRead: keys.length };
      },
      async (error) => (await readRedshiftLoadError(client, { cause: error, since }).catch(() => undefined)) ?? error,
    ),
    { signal: ctx.signal },
  );
  return manifest === undefined ? counts : { ...counts, manifest };
}

/**
 * Loads S3 objects into a Redshift or Postgres table (the connection's dialect decides how):
 * - Redshift: a COPY manifest listing the objects is written next to them, then `COPY … FROM '<manifest>'
 *   IAM_ROLE … FORMAT AS JSON 'auto ignorecase' | jsonpaths | CSV … MANIFEST`; a refused row is read back
 *   from `STL_LOAD_ERRORS` / `SYS_LOAD_ERROR_DETAIL`.
 * - Postgres: the objects are streamed through `COPY … FROM STDIN`, JSON keys matched to columns the way
 *   `'auto ignorecase'` does.
 *
 * Modes: `append`; `replace-partition` (the partition's rows deleted and the new ones inserted);
 * `merge` on `mergeKeys` (the stage de-duplicated, the latest row per key winning, then MERGE). Everything
 * runs in one transaction, so a failure leaves the table unchanged and a rerun of the same interval leaves
 * it as one run would. With `createTable: 'if-missing'` the table is created from `schema` or the crawler's
 * `catalogTable`. Publishes an asset event for the table with the counts.
 *
 * ```ts
 * d.task('load', s3ToRedshift({ bucket: 'lake', prefix: 'curated/posts/dt={{ ds }}/', table: 'analytics.posts',
 *   mode: 'replace-partition', partition: { column: 'dt', value: '{{ ds }}' } }));
 * ```
 */
export const s3ToRedshift = defineOperator({
  name: 'redshift.s3-to-redshift',
  fields: s3ToRedshiftFields,
  templateFields: ['bucket', 'prefix', 'keys', 'table', 'partition', 'jsonPaths'],
  async execute(ctx, fields): Promise<S3ToRedshiftOutput> {
    const bucket = validateBucketName(fields.bucket);
    const table = toTableRef(fields.table);
    const s3 = new S3Hook(fields.awsConnId, ctx);
    const hook = await WarehouseHook.fromContext(ctx, fields.connId);
    try {
      const keys = await listSourceKeys(s3, bucket, fields);
      if (keys.length === 0) ctx.log.warn('no objects to load', { bucket, prefix: fields.prefix ?? '' });
      // A missing table is created by the load's own transaction: a failed load leaves no table behind.
      let createTable: string | undefined;
      let tableColumns: WarehouseColumn[];
      if (fields.createTable === 'if-missing' && !(await hook.tableExists(table))) {
        const schema = await resolveTableSchema(fields, (ctx as Partial<TaskContext>).catalog);
        createTable = createTableSql(schema, table, hook.dialect, fields.varcharLength);
        tableColumns = schemaColumns(schema, hook.dialect, fields.varcharLength);
      } else {
        tableColumns = await hook.columns(table);
      }
      const columns = loadedColumns(tableColumns, fields.columns, table);
      const plan = planLoad({
        dialect: hook.dialect,
        target: table,
        columns: columns.map((c) => c.name),
        mode: fields.mode,
        partition: partitionFilter(ctx, fields, tableColumns, table),
        mergeKeys: fields.mergeKeys?.map((key) => findColumn(tableColumns, key, table, 'mergeKeys').name),
        dedupeOrderBy: fields.dedupeOrderBy === undefined ? undefined : findColumn(tableColumns, fields.dedupeOrderBy, table, 'dedupeOrderBy').name,
        createTable,
      });
      const result =
        hook.dialect === 'postgres'
          ? await runPostgres(hook, s3, plan, columns, keys, fields, ctx)
          : { ...(await runRedshift(hook, s3, plan, keys, fields, ctx)), truncatedValues: null };
      const tableCreated = createTable !== undefined;
      if (tableCreated) ctx.log.info('created table', { table: displayTable(table) });
      const assetUri = hook.assetUri(table);
      const summary = {
        mode: fields.mode,
        rowsLoaded: result.rowsCopied,
        rowsInserted: result.rowsInserted,
        rowsUpdated: result.rowsUpdated,
        rowsDeleted: result.rowsDeleted,
        objectsRead: result.objectsRead,
      };
      ctx.log.info('loaded table', { table: displayTable(table), ...summary, duplicatesDropped: result.duplicatesDropped });
      ctx.recordAssetEvent(assetUri, summary);
      return {
        table: displayTable(table),
        dialect: hook.dialect,
        ...summary,
        duplicatesDropped: result.duplicatesDropped,
        truncatedValues: result.truncatedValues,
        tableCreated,
        ...('manifest' in result && result.manifest !== undefined ? { manifest: result.manifest } : {}),
        assetUri,
      };
    } finally {
      await Promise.all([s3.destroy(), hook.close()]);
    }
  },
});

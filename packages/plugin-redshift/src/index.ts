/**
 * `@sluice/plugin-redshift`: loads staged S3 data into Amazon Redshift and — through the same operators —
 * into PostgreSQL. A `WarehouseHook` over a `redshift`/`postgres` connection (a `pg` pool; the dialect
 * decides the SQL), a templated SQL operator with bound parameters, data quality checks (row count, unique
 * key, not null) and a table sensor. Identifiers are validated and quoted; values are always bound.
 * @packageDocumentation
 */
export {
  WarehouseError,
  WarehouseConnectionError,
  WarehouseIdentifierError,
  WarehouseQueryError,
  DataQualityError,
  type WarehouseQueryErrorDetails,
} from './errors.js';
export {
  DEFAULT_SCHEMA,
  quoteIdent,
  qualifiedTable,
  parseTableRef,
  toTableRef,
  displayTable,
  quoteColumnList,
  type Dialect,
  type TableRef,
} from './identifiers.js';
export {
  DEFAULT_WAREHOUSE_CONNECTION_ID,
  DEFAULT_PORTS,
  DEFAULT_APPLICATION_NAME,
  SSL_MODES,
  warehouseConnectionExtraSchema,
  resolveWarehouseConnection,
  poolConfig,
  type PoolOptions,
  type WarehouseConnectionSettings,
} from './connection.js';
export {
  WarehouseHook,
  toWarehouseError,
  type QueryResult,
  type WarehouseClient,
  type WarehouseColumn,
  type WarehouseHookOptions,
  type RunOptions,
} from './hook.js';
export {
  sqlOperator,
  sqlOperatorFields,
  splitStatements,
  maskSql,
  bindStatement,
  type SqlOperatorOutput,
  type StatementResult,
} from './operators/sql-operator.js';
export {
  rowCountCheck,
  uniqueKeyCheck,
  notNullCheck,
  rowCountCheckFields,
  uniqueKeyCheckFields,
  notNullCheckFields,
  tableField,
  scopeFields,
  scopeFilter,
  refineScope,
  countRows,
  rowCountSql,
  uniqueKeySql,
  notNullSql,
  SHOWN_DUPLICATES,
  type CheckScope,
  type ScopeFilter,
  type RowCountCheckOutput,
  type UniqueKeyCheckOutput,
  type NotNullCheckOutput,
} from './operators/checks.js';
export { tableSensor, tableSensorFields, type TableSensorOutput } from './sensors/table-sensor.js';
export { plugin, PLUGIN_VERSION } from './plugin.js';

/** Plugin name, as it appears in the plugin manifest. */
export const pluginName = '@sluice/plugin-redshift';

// S3-to-warehouse transfer (`redshift.s3-to-redshift`) and its building blocks.
export { WarehouseLoadError, type WarehouseLoadErrorDetails } from './errors.js';
export { s3ToRedshift, type S3ToRedshiftOutput } from './operators/s3-to-redshift.js';
export { s3ToRedshiftFields, COLUMN_KINDS, type S3ToRedshiftFields, type LoadMode } from './load/load-options.js';
export { renderRedshiftCopy, iamRoleClause, IAM_ROLE_ARN, AWS_REGION, type RedshiftCopySpec, type CopyFormat } from './load/redshift-copy-sql.js';
export { renderMergeSql, LOAD_SEQ_COLUMN, type MergeSql, type MergeSqlSpec } from './load/merge-sql.js';
export { planLoad, STAGE_TABLE, MERGE_SOURCE_TABLE, type LoadPlan, type LoadPlanSpec, type LoadStatement, type PartitionFilter, type StatementRole } from './load/load-modes.js';
export { buildManifest, manifestKey, type CopyManifest } from './load/manifest.js';
export { RowMapper, parseJsonPath, copyTextLine, type MappedColumn, type RecordPosition, type RowMapperOptions, type CopyRow } from './load/json-to-row.js';
export { copyObjectsToPostgres, type PostgresCopyOptions, type PostgresCopyResult } from './load/postgres-copy.js';
export { splitJsonRecords, MAX_JSON_RECORD_CHARS, type JsonRecordText } from './load/json-records.js';
export { readRedshiftLoadError, copyErrorToLoadError, type LoadErrorTables, type ReadLoadErrorOptions } from './load/load-errors.js';
export { createTableSql, resolveTableSchema, schemaColumns, type TableSchemaSource } from './load/create-table.js';
export { executeLoadPlan, type CopyStepResult, type PlanCounts } from './load/execute-plan.js';
export { listSourceKeys, gzipDecision, writeManifest, readJsonPaths } from './load/source-objects.js';

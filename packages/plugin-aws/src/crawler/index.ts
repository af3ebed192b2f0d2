/**
 * The schema crawler: infers a table schema from JSON Lines / JSON / CSV objects under an S3 prefix,
 * records it in the Sluice catalog, and renders it as warehouse DDL.
 */
export { CrawlerError, PartitionLayoutError, RecordParseError, DdlError } from './errors.js';
export {
  types,
  inferValueType,
  inferRecordType,
  inferStringType,
  mergeTypes,
  mergeFields,
  formatType,
  type ColumnType,
  type ScalarType,
  type ArrayType,
  type StructType,
  type NullType,
  type Field,
  type Column,
} from './schema.js';
export { parseTextValue, inferTextType } from './text-values.js';
export { PartitionDetector, detectPartitionColumns, relativeKey } from './partitions.js';
export {
  RECORD_FORMATS,
  DEFAULT_MAX_RECORD_CHARS,
  formatFromKey,
  parseJsonRecords,
  parseCsvRecords,
  parseRecords,
  readObjectRecords,
  type RecordFormat,
  type ReadRecordsOptions,
} from './readers.js';
export { crawlPrefix, isDataKey, type CrawlOptions, type CrawlSampling, type CrawlResult } from './crawl.js';
export {
  REDSHIFT_MAX_VARCHAR,
  renderCreateTable,
  quoteIdentifier,
  sqlType,
  type DdlDialect,
  type CreateTableOptions,
  type TableSchema,
} from './ddl.js';
export { s3CrawlerOperator, s3CrawlerFields, type S3CrawlerOutput } from './operator.js';

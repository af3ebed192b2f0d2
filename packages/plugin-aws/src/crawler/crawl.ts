/**
 * `crawlPrefix`: what a Glue crawler does for one S3 prefix. Lists every object under it, detects partition
 * folders, reads a sample of the records (streamed), and infers one table schema.
 */
import type { S3Hook } from '../hooks/s3.js';
import { formatS3Url, validateBucketName, validateS3Prefix } from '../hooks/s3-keys.js';
import { CrawlerError } from './errors.js';
import { PartitionDetector } from './partitions.js';
import { formatFromKey, readObjectRecords, type RecordFormat } from './readers.js';
import { inferRecordType, mergeTypes, types, type Column, type ColumnType } from './schema.js';

/** How much of the data a crawl reads. Every limit defaults to no limit. */
export interface CrawlSampling {
  /** Objects read (in key order); the rest are still listed for partitions and counts. */
  maxObjects?: number | undefined;
  /** Records read from each object. */
  maxRecordsPerObject?: number | undefined;
  /** Records read in all; reading stops once reached. */
  maxTotalRecords?: number | undefined;
}

/** Options of {@link crawlPrefix}. */
export interface CrawlOptions {
  bucket: string;
  /** Folder to crawl; `raw/reddit` and `raw/reddit/` are the same. Empty: the whole bucket. */
  prefix: string;
  /** Format of every object; `auto` (default) takes it from each key's extension, which must agree. */
  format?: RecordFormat | 'auto' | undefined;
  sampling?: CrawlSampling | undefined;
  /** CSV field delimiter. Default `,`. */
  csvDelimiter?: string | undefined;
  /** JSON only: longest single record, in characters. */
  maxRecordChars?: number | undefined;
}

/** What a crawl found. JSON-serialisable. */
export interface CrawlResult {
  /** Data columns, sorted by name. */
  columns: Column[];
  /** Partition columns, outermost folder first. */
  partitionKeys: Column[];
  /** Records read (the sample, when a sampling limit was reached). */
  recordCount: number;
  /** Data objects under the prefix (all listed, read or not). */
  objectCount: number;
  /** Objects whose records were read. */
  objectsRead: number;
  /** Total size of the data objects, in bytes (compressed size for `.gz`). */
  bytes: number;
  /** True when a sampling limit stopped reading before the end of the data. */
  sampled: boolean;
  format: RecordFormat;
  /** `s3://bucket/prefix/`. */
  location: string;
}

/** Keys a crawl leaves out: folder markers and hidden or marker files (`_SUCCESS`, `.crc`, …). */
export function isDataKey(key: string): boolean {
  if (key.endsWith('/')) return false;
  const name = key.slice(key.lastIndexOf('/') + 1);
  return !name.startsWith('_') && !name.startsWith('.');
}

function objectFormat(key: string, requested: RecordFormat | 'auto', tableFormat: RecordFormat | undefined): RecordFormat {
  if (requested !== 'auto') return requested;
  const format = formatFromKey(key);
  if (format === undefined) {
    throw new CrawlerError(`cannot tell the format of '${key}' from its extension; set 'format' to jsonl, json or csv`);
  }
  if (tableFormat !== undefined && format !== tableFormat) {
    throw new CrawlerError(`'${key}' is ${format}, but earlier objects are ${tableFormat}; one table has one format`);
  }
  return format;
}

/**
 * Crawls `s3://bucket/prefix/` through the S3 hook and infers one table: the data columns (the merge of
 * every record read, see `mergeTypes`), the partition columns from the folders, counts, format and
 * location. Memory stays bounded: objects are streamed, and only the merged schema is kept.
 *
 * @throws CrawlerError when there are no data objects, the format is unknown or mixed, a record is not a
 *   JSON object, or a partition column has the name of a data column.
 * @throws PartitionLayoutError when objects sit in different folder layouts.
 */
export async function crawlPrefix(hook: S3Hook, options: CrawlOptions): Promise<CrawlResult> {
  const bucket = validateBucketName(options.bucket);
  const raw = validateS3Prefix(options.prefix);
  const prefix = raw === '' || raw.endsWith('/') ? raw : `${raw}/`;
  const requested = options.format ?? 'auto';
  const sampling = options.sampling ?? {};
  const maxObjects = sampling.maxObjects ?? Infinity;
  const perObject = sampling.maxRecordsPerObject ?? Infinity;
  const maxTotal = sampling.maxTotalRecords ?? Infinity;

  const partitions = new PartitionDetector(prefix);
  let schema: ColumnType = types.null();
  let format: RecordFormat | undefined;
  let objectCount = 0;
  let objectsRead = 0;
  let recordCount = 0;
  let bytes = 0;
  let sampled = false;

  for await (const object of hook.listObjects(bucket, prefix)) {
    if (!isDataKey(object.key)) continue;
    format = objectFormat(object.key, requested, format);
    partitions.add(object.key);
    objectCount += 1;
    bytes += object.size;
    if (objectsRead >= maxObjects || recordCount >= maxTotal) {
      sampled = true;
      continue;
    }
    objectsRead += 1;
    const limit = Math.min(perObject, maxTotal - recordCount);
    let read = 0;
    const records = readObjectRecords(hook, bucket, object.key, format, {
      maxRecords: limit,
      csvDelimiter: options.csvDelimiter,
      maxRecordChars: options.maxRecordChars,
    });
    for await (const record of records) {
      read += 1;
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new CrawlerError(`s3://${bucket}/${object.key}: record ${read} is not a JSON object`);
      }
      schema = mergeTypes(schema, inferRecordType(record as Record<string, unknown>));
    }
    recordCount += read;
    if (read >= limit) sampled = true;
  }

  if (format === undefined) throw new CrawlerError(`no data objects under s3://${bucket}/${prefix}`);
  const columns = schema.kind === 'struct' ? schema.fields : [];
  const partitionKeys = partitions.columns();
  const clash = partitionKeys.find((p) => columns.some((c) => c.name === p.name));
  if (clash) throw new CrawlerError(`partition column '${clash.name}' is also a column of the records under s3://${bucket}/${prefix}`);
  return { columns, partitionKeys, recordCount, objectCount, objectsRead, bytes, sampled, format, location: formatS3Url(bucket, prefix) };
}

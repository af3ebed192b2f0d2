/**
 * Error classes of the schema crawler. Each has a stable `name`; messages name the object key or the
 * identifier at fault and never quote object contents.
 */
import { SluiceError } from '@sluice/core';

/** A crawl cannot produce a table: no objects, an unknown format, a record that is not an object. */
export class CrawlerError extends SluiceError {
  override name = 'CrawlerError';
}

/** An object under the prefix has a folder layout that differs from the others; names the key. */
export class PartitionLayoutError extends SluiceError {
  override name = 'PartitionLayoutError';
}

/** An object cannot be parsed in its format (bad JSON, bad CSV); names the key and position. */
export class RecordParseError extends SluiceError {
  override name = 'RecordParseError';
}

/** DDL cannot be rendered: an invalid identifier, duplicate column names, a bad option. */
export class DdlError extends SluiceError {
  override name = 'DdlError';
}

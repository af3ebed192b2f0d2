/** A table as recorded in the Sluice data catalog (what a Glue crawler writes to the Glue Data Catalog). */
export interface CatalogTableInput {
  /** Catalog database (namespace), e.g. `raw`. Letters, digits, `_`. */
  database: string;
  /** Table name. Letters, digits, `_`. */
  name: string;
  /** Where the data lives, e.g. `s3://bucket/raw/reddit/` or `postgres://warehouse/public/posts`. */
  location: string;
  /** Data format, e.g. `jsonl`, `json`, `csv`, `parquet`, `table`. */
  format: string;
  /** Column definitions; their shape is the writer's (the crawler's) own JSON. */
  columns: Record<string, unknown>[];
  /** Partition key definitions (same shape as columns). */
  partitionKeys: Record<string, unknown>[];
  /** Statistics of the latest crawl: record count, object count, bytes, … */
  stats?: Record<string, unknown>;
}

/** A stored catalog table: its current version. */
export interface CatalogTable extends CatalogTableInput {
  version: number;
  stats: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** What to do when a crawl finds a schema different from the stored one (Glue's schema change policy). */
export type SchemaChangePolicy = 'update' | 'log';

/** The outcome of {@link CatalogService.putTable}. */
export interface PutTableResult {
  table: CatalogTable;
  /** True when the columns or partition keys differ from the stored version (or the table is new). */
  schemaChanged: boolean;
  /** True when a new version was stored (new table, or a change under policy `update`). */
  versionCreated: boolean;
}

/** The catalog as a task sees it (`ctx.catalog`). */
export interface CatalogService {
  /** The current version of a table, or undefined. */
  getTable(database: string, name: string): Promise<CatalogTable | undefined>;
  /** Every stored version of a table, oldest first. */
  listVersions(database: string, name: string): Promise<CatalogTable[]>;
  /**
   * Records a crawl: a new table, or a new version when its schema changed and the policy is `update`
   * (policy `log` keeps the stored schema and only reports the change). Stats are refreshed either way.
   */
  putTable(input: CatalogTableInput, options?: { policy?: SchemaChangePolicy }): Promise<PutTableResult>;
}

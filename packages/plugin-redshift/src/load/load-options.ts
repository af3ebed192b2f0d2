/**
 * The fields of the `redshift.s3-to-redshift` transfer (zod), checked when the operator is created. What
 * depends on the warehouse (dialect, table columns) is checked when it runs.
 */
import { DEFAULT_AWS_CONNECTION_ID } from '@sluice/plugin-aws';
import { z } from 'zod';
import { DEFAULT_WAREHOUSE_CONNECTION_ID } from '../connection.js';

/** Column type kinds accepted in an explicit column list (`json` means a nested value: SUPER / jsonb). */
export const COLUMN_KINDS = ['boolean', 'int', 'bigint', 'double', 'string', 'timestamp', 'date', 'json'] as const;

const CRAWLER_KINDS = new Set(['boolean', 'int', 'bigint', 'double', 'string', 'timestamp', 'date', 'array', 'struct', 'null']);

/** A column type: a kind name (`'string'`, `'json'`, …) or a crawler type object (`{ kind: 'struct', … }`). */
const columnTypeSchema = z.union([
  z.enum(COLUMN_KINDS).transform((kind) => (kind === 'json' ? { kind: 'struct' as const, fields: [] } : { kind })),
  z.looseObject({ kind: z.string() }).refine((t) => CRAWLER_KINDS.has(t.kind), { message: 'unknown column type kind' }),
]);

/** A column of an explicit schema (the crawler's column shape). */
export const loadColumnSchema = z.looseObject({ name: z.string().min(1), type: columnTypeSchema, nullable: z.boolean().default(true) });

const tableRefSchema = z.object({ schema: z.string().min(1).optional(), table: z.string().min(1) }).strict();

/** Fields of the `redshift.s3-to-redshift` transfer. */
export const s3ToRedshiftFields = z
  .object({
    /** The `redshift` or `postgres` connection (its dialect decides how the load runs). */
    connId: z.string().default(DEFAULT_WAREHOUSE_CONNECTION_ID),
    /** The `aws` connection to read S3 (and write the manifest) with. */
    awsConnId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
    /** Source bucket (template). */
    bucket: z.string().min(1),
    /** Load every data object under this prefix (template); `_`/`.` names (markers, manifests) are left out. */
    prefix: z.string().optional(),
    /** Load exactly these objects (templates). */
    keys: z.array(z.string().min(1)).min(1).optional(),
    /** Target table: `'schema.table'`, `'table'` or `{ schema, table }` (template). */
    table: z.union([z.string().min(1), tableRefSchema]),
    /** Target columns to load, in order (CSV fields map to them by position). Default: every column of the table. */
    columns: z.array(z.string().min(1)).min(1).optional(),
    /** `json`: one JSON object per record, keys matched to columns case-insensitively (`'auto ignorecase'`); `csv`. */
    format: z.enum(['json', 'csv']).default('json'),
    /** `s3://…` URL of a JSONPaths file mapping records to the column list (instead of `'auto ignorecase'`). */
    jsonPaths: z.string().optional(),
    /** CSV options: field delimiter and header lines skipped (IGNOREHEADER). */
    csv: z
      .object({ delimiter: z.string().length(1).default(','), ignoreHeader: z.number().int().min(0).default(1) })
      .strict()
      .default({ delimiter: ',', ignoreHeader: 1 }),
    /** Gunzip the objects. Default: when every key ends with `.gz`. */
    gzip: z.boolean().optional(),
    /** TIMEFORMAT: `auto`, `epochsecs`, `epochmillisecs` or a Redshift format string (Redshift only). */
    timeFormat: z.string().min(1).optional(),
    /** MAXERROR (Redshift only; on Postgres any bad row fails the load, so only 0 is accepted). */
    maxError: z.number().int().min(0).max(100_000).default(0),
    /** Region of the bucket, for Redshift's COPY. Default: the connection's extra `region`. */
    region: z.string().optional(),
    /** IAM role ARN Redshift assumes to read S3. Default: the connection's extra `iam_role`. */
    iamRole: z.string().optional(),
    /** Text longer than its column: `truncate` (TRUNCATECOLUMNS) or `fail` naming the object, line and column. */
    longText: z.enum(['truncate', 'fail']).default('fail'),
    /** `append`; `replace-partition` (delete the partition, then insert); `merge` on `mergeKeys`. */
    mode: z.enum(['append', 'replace-partition', 'merge']).default('append'),
    /** replace-partition: the partition column and its value (template); without a value, the data interval `[start, end)`. */
    partition: z.object({ column: z.string().min(1), value: z.string().optional() }).strict().optional(),
    /** merge: the key columns. */
    mergeKeys: z.array(z.string().min(1)).min(1).optional(),
    /** merge: among staged rows with one key, the row with the greatest value here wins (then the later-loaded one on Postgres). */
    dedupeOrderBy: z.string().min(1).optional(),
    /** Create the target table when it does not exist (`if-missing`), from `schema` or `catalogTable`. */
    createTable: z.enum(['never', 'if-missing']).default('never'),
    /** Schema to create the table from: the crawler's columns (and partition keys), or kind names. */
    schema: z.object({ columns: z.array(loadColumnSchema).min(1), partitionKeys: z.array(loadColumnSchema).optional() }).optional(),
    /** Catalog table (recorded by the `aws.s3-crawler`) to create the table from. */
    catalogTable: z.object({ database: z.string().min(1), table: z.string().min(1) }).strict().optional(),
    /** Redshift: VARCHAR length of string columns of a created table. Default 65535. */
    varcharLength: z.number().int().min(1).max(65535).optional(),
  })
  .refine((f) => (f.prefix === undefined) !== (f.keys === undefined), { message: "give exactly one of 'prefix' and 'keys'", path: ['prefix'] })
  .refine((f) => f.mode !== 'replace-partition' || f.partition !== undefined, { message: "mode 'replace-partition' needs 'partition'", path: ['partition'] })
  .refine((f) => f.mode !== 'merge' || f.mergeKeys !== undefined, { message: "mode 'merge' needs 'mergeKeys'", path: ['mergeKeys'] })
  .refine((f) => f.createTable === 'never' || f.schema !== undefined || f.catalogTable !== undefined, {
    message: "createTable 'if-missing' needs 'schema' or 'catalogTable'",
    path: ['createTable'],
  })
  .refine((f) => f.jsonPaths === undefined || f.format === 'json', { message: "'jsonPaths' is for format 'json'", path: ['jsonPaths'] });

/** Parsed fields of the transfer. */
export type S3ToRedshiftFields = z.output<typeof s3ToRedshiftFields>;

/** The load mode. */
export type LoadMode = S3ToRedshiftFields['mode'];

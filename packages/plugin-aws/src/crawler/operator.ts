/** Operator `aws.s3-crawler`: crawls an S3 prefix and records the table in the Sluice catalog. */
import { defineOperator, type CatalogService, type TaskContext } from '@sluice/core';
import { z } from 'zod';
import { GlueClient } from '@aws-sdk/client-glue';
import { DEFAULT_AWS_CONNECTION_ID, awsClientConfig, resolveAwsConnection } from '../hooks/aws-connection.js';
import { registerGlueTable } from '../glue/glue-catalog.js';
import { S3Hook } from '../hooks/s3.js';
import { crawlPrefix } from './crawl.js';
import { CrawlerError } from './errors.js';
import { formatType, type Column } from './schema.js';

const CATALOG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const limit = z.number().int().positive().optional();

/** Fields of {@link s3CrawlerOperator}. */
export const s3CrawlerFields = z.object({
  /** The `aws` connection. */
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Bucket (template). */
  bucket: z.string().min(1),
  /** Folder to crawl (template), e.g. `raw/reddit/`. */
  prefix: z.string(),
  /** Catalog database: letters, digits, `_`. */
  database: z.string().regex(CATALOG_NAME, 'letters, digits and _ only, not starting with a digit'),
  /** Catalog table name: letters, digits, `_`. */
  table: z.string().regex(CATALOG_NAME, 'letters, digits and _ only, not starting with a digit'),
  /** Data format; by default taken from the keys' extensions. */
  format: z.enum(['auto', 'jsonl', 'json', 'csv']).default('auto'),
  /** On a schema change: `update` stores a new version, `log` keeps the stored schema and reports it. */
  policy: z.enum(['update', 'log']).default('update'),
  /** Sampling limits (see `CrawlSampling`); all unlimited by default. */
  sampling: z.object({ maxObjects: limit, maxRecordsPerObject: limit, maxTotalRecords: limit }).strict().default({}),
  /** CSV field delimiter. */
  csvDelimiter: z.string().min(1).optional(),
  /**
   * Also register the table in the AWS Glue Data Catalog (created or updated, like a Glue crawler). Left
   * out: Glue is not touched. `database` defaults to the catalog database.
   */
  glue: z
    .object({
      connId: z.string().optional(),
      database: z.string().regex(CATALOG_NAME, 'letters, digits and _ only, not starting with a digit').optional(),
      createDatabase: z.boolean().default(true),
    })
    .strict()
    .optional(),
});

/** `ctx.catalog`; a hand-built context may lack it. @throws CrawlerError then. */
function catalogOf(ctx: TaskContext): CatalogService {
  const catalog = (ctx as Partial<TaskContext>).catalog;
  if (!catalog) throw new CrawlerError('this task context has no catalog (ctx.catalog); the crawler cannot record the table');
  return catalog;
}

/** Output of {@link s3CrawlerOperator}. */
export interface S3CrawlerOutput {
  database: string;
  table: string;
  /** The table's current version in the catalog after this crawl. */
  version: number;
  /** The crawled schema differs from the stored one (or the table is new). */
  schemaChanged: boolean;
  /** A new version was stored (new table, or a change under policy `update`). */
  versionCreated: boolean;
  /** The columns this crawl inferred (under policy `log` the catalog may keep older ones). */
  columns: Column[];
  partitionKeys: Column[];
  recordCount: number;
  objectCount: number;
  /** What happened in Glue: absent when not configured; `skipped` when policy `log` kept the old schema. */
  glue?: 'created' | 'updated' | 'skipped';
}

/**
 * Crawls `s3://bucket/prefix/` (see `crawlPrefix`) and records the table with `ctx.catalog.putTable`:
 * columns, partition keys, location and format, with stats (`recordCount`, `objectCount`, `objectsRead`,
 * `bytes`, `sampled`, `crawledAt`). With `glue`, the table is also created or updated in the AWS Glue Data
 * Catalog (skipped when policy `log` keeps the stored schema).
 *
 * ```ts
 * d.task('crawl', s3CrawlerOperator({ bucket: 'lake', prefix: 'raw/reddit/dt={{ ds }}/', database: 'raw', table: 'reddit_posts' }));
 * ```
 */
export const s3CrawlerOperator = defineOperator({
  name: 'aws.s3-crawler',
  fields: s3CrawlerFields,
  templateFields: ['bucket', 'prefix'],
  async execute(ctx, fields): Promise<S3CrawlerOutput> {
    const catalog = catalogOf(ctx);
    const hook = new S3Hook(fields.connId, ctx);
    try {
      const crawl = await crawlPrefix(hook, {
        bucket: fields.bucket,
        prefix: fields.prefix,
        format: fields.format,
        sampling: fields.sampling,
        csvDelimiter: fields.csvDelimiter,
      });
      const stats = {
        recordCount: crawl.recordCount,
        objectCount: crawl.objectCount,
        objectsRead: crawl.objectsRead,
        bytes: crawl.bytes,
        sampled: crawl.sampled,
        crawledAt: new Date().toISOString(),
      };
      const result = await catalog.putTable(
        {
          database: fields.database,
          name: fields.table,
          location: crawl.location,
          format: crawl.format,
          columns: crawl.columns,
          partitionKeys: crawl.partitionKeys,
          stats,
        },
        { policy: fields.policy },
      );
      const where = { database: fields.database, table: fields.table, version: result.table.version, location: crawl.location };
      if (result.schemaChanged && !result.versionCreated) {
        ctx.log.warn('schema changed; policy log keeps the stored schema', {
          ...where,
          columns: crawl.columns.map((c) => `${c.name}:${formatType(c.type)}`),
        });
      } else {
        ctx.log.info('crawled table', { ...where, schemaChanged: result.schemaChanged, records: crawl.recordCount, objects: crawl.objectCount });
      }
      let glue: S3CrawlerOutput['glue'];
      if (fields.glue) {
        if (result.schemaChanged && !result.versionCreated) {
          glue = 'skipped';
        } else {
          const settings = await resolveAwsConnection(await ctx.getConnection(fields.glue.connId ?? fields.connId));
          const client = new GlueClient(awsClientConfig(settings));
          try {
            glue = await registerGlueTable(
              client,
              {
                database: fields.glue.database ?? fields.database,
                table: fields.table,
                location: crawl.location,
                format: crawl.format,
                columns: crawl.columns,
                partitionKeys: crawl.partitionKeys,
                recordCount: crawl.recordCount,
                createDatabase: fields.glue.createDatabase,
              },
              ctx.signal,
            );
          } finally {
            client.destroy();
          }
          ctx.log.info(`glue table ${glue}`, { database: fields.glue.database ?? fields.database, table: fields.table });
        }
      }
      return {
        ...(glue ? { glue } : {}),
        database: fields.database,
        table: fields.table,
        version: result.table.version,
        schemaChanged: result.schemaChanged,
        versionCreated: result.versionCreated,
        columns: crawl.columns,
        partitionKeys: crawl.partitionKeys,
        recordCount: crawl.recordCount,
        objectCount: crawl.objectCount,
      };
    } finally {
      await hook.destroy();
    }
  },
});

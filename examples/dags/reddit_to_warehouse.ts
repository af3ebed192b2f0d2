/**
 * reddit-to-warehouse, part 2: runs whenever `reddit_extract` publishes the staged-posts asset (the AWS
 * original's S3 upload → EventBridge → Step Functions chain): crawl the staged folder → load the new objects
 * into a batch table → transform them in SQL (clean, cast, derive columns) and merge them into
 * `analytics.reddit_posts` on the post id → check → crawl the warehouse table into the catalog.
 *
 * Connections (`aws_default`, `redshift_default`) are resolved through the secrets chain, e.g. the AWS
 * Secrets Manager backend; nothing secret or environment-specific is written here.
 */
import { SkipError, dag, type TaskContext } from '@sluice/core';
import { s3CrawlerOperator } from '@sluice/plugin-aws';
import { WarehouseHook, notNullCheck, s3ToRedshift, sqlOperator, uniqueKeyCheck, type WarehouseColumn } from '@sluice/plugin-redshift';
import { z } from 'zod';
import { EXTRACT_SUBREDDIT, LAKE_BUCKET, RAW_POSTS_ASSET, RAW_POSTS_PREFIX } from './reddit_extract.js';

/** Catalog entry of the staged posts (written by the crawl, read when the batch table is created). */
export const RAW_CATALOG = { database: 'raw', table: `reddit_${EXTRACT_SUBREDDIT}` } as const;
/** The batch table: this run's staged objects, as loaded (recreated by every run). */
export const BATCH_TABLE = { schema: 'staging', table: 'reddit_posts_batch' } as const;
/** The target table, one row per post. */
export const POSTS_TABLE = { schema: 'analytics', table: 'reddit_posts' } as const;
/** Catalog entry of the target table (schema and row count). */
export const POSTS_CATALOG = { database: 'analytics', table: 'reddit_posts' } as const;

const redditToWarehouse = dag({
  id: 'reddit_to_warehouse',
  description: `Staged r/${EXTRACT_SUBREDDIT} posts → transformed and merged into analytics.reddit_posts`,
  schedule: { assets: [RAW_POSTS_ASSET] },
  // The batch table is shared by the runs of this DAG: one at a time.
  maxActiveRuns: 1,
  tags: ['example', 'reddit', 'aws', 'redshift', 'assets'],
  defaultTaskOptions: { retries: 2, retryDelay: '1m', exponentialBackoff: true, timeout: '30m' },
});

/** The part of a staging asset event this DAG reads: `{ keys, records, bytes }`. */
const stagedEvent = z.object({ keys: z.array(z.string().min(1)), records: z.number().int().min(0) });

// The objects behind the asset events that triggered this run (one per extract run). Empty objects (hours
// without posts) are left out; a run with nothing to load (e.g. a manual trigger) is skipped.
const stagedKeys = redditToWarehouse.task('staged_keys', { doc: 'The S3 objects behind the triggering asset events' }, (ctx) => {
  const keys = new Set<string>();
  for (const event of ctx.triggeringAssetEvents) {
    if (event.uri !== RAW_POSTS_ASSET) continue;
    const metadata = stagedEvent.safeParse(event.metadata);
    if (!metadata.success) throw new Error(`asset event ${event.id} from ${event.dagId} has no 'keys' and 'records'`);
    if (metadata.data.records === 0) continue;
    for (const key of metadata.data.keys) {
      // The load renders its `keys` as templates: accept only our own folder and no template syntax.
      if (!key.startsWith(`${RAW_POSTS_PREFIX}/`) || key.includes('{')) throw new Error(`asset event ${event.id} names an unexpected key`);
      keys.add(key);
    }
  }
  if (keys.size === 0) throw new SkipError('no staged posts in the triggering asset events');
  ctx.log.info('staged objects to load', { objects: keys.size, events: ctx.triggeringAssetEvents.length });
  return [...keys].sort();
});

// Like the Glue crawler of the original: infers the schema of everything staged so far (dt and hour become
// partition keys) and records it; a changed schema becomes a new catalog version.
const crawlRaw = redditToWarehouse.task(
  'crawl_raw',
  { upstream: [stagedKeys], doc: 'Infer the schema of the staged posts and update the catalog' },
  s3CrawlerOperator({ bucket: LAKE_BUCKET, prefix: `${RAW_POSTS_PREFIX}/`, database: RAW_CATALOG.database, table: RAW_CATALOG.table }),
);

const prepare = redditToWarehouse.task(
  'prepare_warehouse',
  { doc: 'Schemas and the target table (typed, with the derived columns)' },
  sqlOperator({
    sql: `CREATE SCHEMA IF NOT EXISTS staging;
      CREATE SCHEMA IF NOT EXISTS analytics;
      CREATE TABLE IF NOT EXISTS analytics.reddit_posts (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        subreddit VARCHAR(64) NOT NULL,
        title VARCHAR(1024),
        title_length INTEGER,
        author VARCHAR(64),
        created_at TIMESTAMP NOT NULL,
        created_date DATE NOT NULL,
        created_hour INTEGER NOT NULL,
        is_nsfw BOOLEAN,
        is_self BOOLEAN,
        is_image BOOLEAN,
        domain VARCHAR(256),
        permalink VARCHAR(1024),
        score INTEGER,
        upvote_ratio DOUBLE PRECISION,
        num_comments INTEGER,
        engagement INTEGER
      )`,
  }),
);

// The batch table is created from the crawler's catalog entry (so it follows schema changes) and holds
// exactly this run's objects; a retry or rerun starts it over.
const loadBatch = redditToWarehouse.task(
  'load_batch',
  { inputs: { keys: stagedKeys }, upstream: [crawlRaw, prepare], doc: 'Load the staged objects into a fresh batch table' },
  async (ctx, { keys }) => {
    const hook = await WarehouseHook.fromContext(ctx);
    try {
      await hook.query('DROP TABLE IF EXISTS staging.reddit_posts_batch');
    } finally {
      await hook.close();
    }
    const load = s3ToRedshift({
      bucket: LAKE_BUCKET,
      keys,
      table: BATCH_TABLE,
      mode: 'append',
      createTable: 'if-missing',
      catalogTable: RAW_CATALOG,
      longText: 'truncate',
    });
    return load.run(ctx, {});
  },
);

// Transform and merge in one transaction: clean and cast the batch's fields, derive columns, keep the
// latest row per post, then replace those posts in the target (Redshift's delete-and-insert merge, which
// Postgres runs as is). A rerun with the same batch leaves the table unchanged.
const merge = redditToWarehouse.task(
  'merge_posts',
  { upstream: [loadBatch], doc: 'SQL transform of the batch, merged into analytics.reddit_posts on the post id' },
  sqlOperator({
    sql: `DELETE FROM analytics.reddit_posts USING staging.reddit_posts_batch AS b WHERE analytics.reddit_posts.id = b.id;
      INSERT INTO analytics.reddit_posts (
        id, subreddit, title, title_length, author, created_at, created_date, created_hour,
        is_nsfw, is_self, is_image, domain, permalink, score, upvote_ratio, num_comments, engagement)
      SELECT
        id,
        LOWER(TRIM(subreddit)),
        TRIM(title),
        LENGTH(TRIM(title)),
        NULLIF(TRIM(author), '[deleted]'),
        created_at,
        CAST(created_at AS DATE),
        CAST(EXTRACT(HOUR FROM created_at) AS INTEGER),
        CAST(over_18 AS BOOLEAN),
        CAST(is_self AS BOOLEAN),
        LOWER(domain) IN ('i.redd.it', 'i.imgur.com'),
        LOWER(domain),
        permalink,
        CAST(score AS INTEGER),
        CAST(upvote_ratio AS DOUBLE PRECISION),
        CAST(num_comments AS INTEGER),
        CAST(score AS INTEGER) + CAST(num_comments AS INTEGER)
      FROM (
        SELECT b.*,
               TIMESTAMP 'epoch' + CAST(b.created_utc AS BIGINT) * INTERVAL '1 second' AS created_at,
               ROW_NUMBER() OVER (PARTITION BY b.id ORDER BY b.created_utc DESC) AS row_rank
          FROM staging.reddit_posts_batch AS b
         WHERE b.id IS NOT NULL
      ) AS latest
      WHERE row_rank = 1`,
  }),
);

const unique = redditToWarehouse.task('check_unique_ids', { upstream: [merge] }, uniqueKeyCheck({ table: POSTS_TABLE, keyColumns: ['id'] }));
const notNull = redditToWarehouse.task('check_not_null', { upstream: [merge] }, notNullCheck({ table: POSTS_TABLE, columns: ['title', 'created_at'] }));

/** A warehouse column in the crawler's column shape, `{ name, type: { kind }, nullable }`. */
function catalogColumn(column: WarehouseColumn): Record<string, unknown> {
  const type = column.dataType.toLowerCase();
  const kind =
    type === 'boolean'
      ? 'boolean'
      : type === 'integer' || type === 'smallint'
        ? 'int'
        : type === 'bigint'
          ? 'bigint'
          : type === 'double precision' || type === 'real' || type === 'numeric'
            ? 'double'
            : type === 'date'
              ? 'date'
              : type.startsWith('timestamp')
                ? 'timestamp'
                : 'string';
  return { name: column.name, type: { kind }, nullable: column.nullable };
}

// What a Glue crawler on a Redshift connection records: the table's columns and its row count.
redditToWarehouse.task('crawl_warehouse', { upstream: [unique, notNull], doc: 'Record the target table and its row count in the catalog' }, async (ctx: TaskContext) => {
  const hook = await WarehouseHook.fromContext(ctx);
  try {
    const columns = await hook.columns(POSTS_TABLE);
    const counted = await hook.query<{ n: string | number }>('SELECT COUNT(*) AS n FROM analytics.reddit_posts');
    const rowCount = Number(counted.rows[0]?.n ?? 0);
    const result = await ctx.catalog.putTable({
      database: POSTS_CATALOG.database,
      name: POSTS_CATALOG.table,
      location: hook.assetUri(POSTS_TABLE),
      format: 'table',
      columns: columns.map(catalogColumn),
      partitionKeys: [],
      stats: { recordCount: rowCount, crawledAt: new Date().toISOString() },
    });
    ctx.log.info('recorded warehouse table', { table: 'analytics.reddit_posts', version: result.table.version, rows: rowCount });
    return { database: POSTS_CATALOG.database, table: POSTS_CATALOG.table, version: result.table.version, rowCount };
  } finally {
    await hook.close();
  }
});

export default redditToWarehouse;

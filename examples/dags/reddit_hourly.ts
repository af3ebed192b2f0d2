/**
 * reddit-hourly: every hour, the new posts of one subreddit → JSON Lines in S3 (partitioned by date and
 * hour) → crawled into the catalog → loaded into DynamoDB (keyed by post id) and merged into the warehouse.
 *
 * The AWS original: an hourly EventBridge rule → Lambda (PRAW) → S3 → Glue crawler → Lambda/Glue job
 * writing DynamoDB and Redshift. Here every step is a task of one DAG, and the Reddit credentials come
 * from the secrets backend chain (connection `reddit_default`), never from this file.
 */
import { SkipError, dag } from '@sluice/core';
import { s3CrawlerOperator, s3ToDynamoDb } from '@sluice/plugin-aws';
import { redditSubredditPosts } from '@sluice/plugin-reddit';
import { s3ToRedshift, sqlOperator, uniqueKeyCheck } from '@sluice/plugin-redshift';

/** The subreddit collected (the local Reddit stand-in serves it too). */
export const HOURLY_SUBREDDIT = 'dataengineering';
/** Where one hour of posts is staged: `raw/reddit/<subreddit>/dt=<yyyy-mm-dd>/hour=<hh>/`. */
const HOUR_PREFIX = `raw/reddit/${HOURLY_SUBREDDIT}/dt={{ ds }}/hour={{ logical_date | date('HH') }}/`;
const BUCKET = '{{ var.lake_bucket }}';
/** The warehouse table, keyed by post id. */
export const HOURLY_WAREHOUSE_TABLE = 'raw.reddit_posts';
/** The catalog entry the crawler writes (and the warehouse table is created from). */
export const HOURLY_CATALOG = { database: 'raw', table: `reddit_${HOURLY_SUBREDDIT}` } as const;
/** The DynamoDB table (hash key `id`), created by the infrastructure (locally by the environment). */
export const HOURLY_DYNAMODB_TABLE = 'reddit_posts';

const redditHourly = dag({
  id: 'reddit_hourly',
  description: `New posts of r/${HOURLY_SUBREDDIT} every hour → S3 → catalog → DynamoDB and the warehouse`,
  schedule: '@hourly',
  start: '2026-01-01T00:00:00Z',
  // No gap without catchup: the extract continues from the previous run's high-water mark, so a run after
  // a pause collects everything since. Use `sluice backfill` to collect an older range explicitly.
  catchup: false,
  // Incremental extraction reads the previous run's output: one run at a time.
  maxActiveRuns: 1,
  tags: ['example', 'reddit', 'aws'],
  defaultTaskOptions: { retries: 2, retryDelay: '1m', exponentialBackoff: true, timeout: '20m' },
});

// Posts created in [previous high-water mark, end of this hour), written to one object per hour: a rerun of
// the hour renders the same key and overwrites it.
const extract = redditHourly.task(
  'extract_posts',
  { doc: 'New posts since the previous run, staged as gzipped JSON Lines' },
  redditSubredditPosts({
    subreddit: HOURLY_SUBREDDIT,
    incremental: true,
    stage: { bucket: BUCKET, key: `${HOUR_PREFIX}posts.jsonl.gz`, assetPrefix: `raw/reddit/${HOURLY_SUBREDDIT}` },
  }),
);

// An hour without posts (the object is written empty) has nothing to crawl or load: skip the rest. This also
// keeps a first crawl over empty objects from recording a table without columns.
const hasPosts = redditHourly.task('has_new_posts', { inputs: { extracted: extract } }, (ctx, { extracted }) => {
  if (extracted.staged.records === 0) throw new SkipError('no new posts in this interval');
  ctx.log.info('new posts staged', { records: extracted.staged.records, key: extracted.staged.key });
  return extracted.staged.records;
});

// Like a Glue crawler on the subreddit's folder: infers the columns (dt and hour become partition keys) and
// records the table, with a new version when the schema changes.
const crawl = redditHourly.task(
  'crawl_raw',
  { upstream: [hasPosts], doc: 'Infer the schema of the staged posts and update the catalog' },
  s3CrawlerOperator({ bucket: BUCKET, prefix: `raw/reddit/${HOURLY_SUBREDDIT}/`, database: HOURLY_CATALOG.database, table: HOURLY_CATALOG.table }),
);

// PutItem per post: a rerun overwrites the same items.
redditHourly.task(
  'load_dynamodb',
  { upstream: [hasPosts], doc: "Put the hour's posts into DynamoDB, keyed by post id" },
  s3ToDynamoDb({ dynamoDbConnId: 'dynamodb_default', bucket: BUCKET, prefix: HOUR_PREFIX, table: HOURLY_DYNAMODB_TABLE, keyFields: ['id'] }),
);

const schema = redditHourly.task(
  'create_schema',
  { doc: 'The warehouse schema the table lives in' },
  sqlOperator({ sql: 'CREATE SCHEMA IF NOT EXISTS raw' }),
);

// The table is created from the crawler's catalog entry on the first run; each hour is merged on the post
// id, so rerunning an hour leaves the table as one run would.
const load = redditHourly.task(
  'load_warehouse',
  { upstream: [crawl, schema], doc: "Merge the hour's posts into the warehouse on the post id" },
  s3ToRedshift({
    bucket: BUCKET,
    prefix: HOUR_PREFIX,
    table: HOURLY_WAREHOUSE_TABLE,
    mode: 'merge',
    mergeKeys: ['id'],
    dedupeOrderBy: 'created_utc',
    createTable: 'if-missing',
    catalogTable: HOURLY_CATALOG,
    longText: 'truncate',
  }),
);

// The catalog's partition keys (dt, hour) are columns of the created table, but the load fills columns from
// the records only: the rows this load touched (dt still NULL) get the hour's partition values here.
const partition = redditHourly.task(
  'set_partition',
  { upstream: [load], doc: 'Fill the dt/hour partition columns of the rows just merged' },
  sqlOperator({
    sql: 'UPDATE raw.reddit_posts SET dt = :dt, hour = :hour WHERE dt IS NULL',
    parameters: { dt: '{{ ds }}', hour: "{{ logical_date | date('HH') }}" },
  }),
);

redditHourly.task('check_unique_ids', { upstream: [partition] }, uniqueKeyCheck({ table: HOURLY_WAREHOUSE_TABLE, keyColumns: ['id'] }));

export default redditHourly;

/**
 * reddit-to-warehouse, part 1: every hour, stage the new posts of a subreddit in S3 and publish the asset
 * `s3://sluice-lake/raw/reddit/<subreddit>`. The DAG `reddit_to_warehouse` is scheduled on that asset: it
 * plays the part of the S3 upload → EventBridge rule → Step Functions chain of the AWS original.
 */
import { dag } from '@sluice/core';
import { redditSubredditPosts } from '@sluice/plugin-reddit';

/** The subreddit staged (the local Reddit stand-in serves it too). */
export const EXTRACT_SUBREDDIT = 'python';
/**
 * The lake bucket. Asset URIs are fixed when the DAG file loads (like Airflow's Datasets), so this pair of
 * DAGs names the bucket here instead of reading the `lake_bucket` variable at run time.
 */
export const LAKE_BUCKET = 'sluice-lake';
/** Folder of the staged posts, one object per hour below it. */
export const RAW_POSTS_PREFIX = `raw/reddit/${EXTRACT_SUBREDDIT}`;
/** The asset every staging publishes (with `{ keys, records, bytes }`), and `reddit_to_warehouse` waits for. */
export const RAW_POSTS_ASSET = `s3://${LAKE_BUCKET}/${RAW_POSTS_PREFIX}`;

const redditExtract = dag({
  id: 'reddit_extract',
  description: `New posts of r/${EXTRACT_SUBREDDIT} every hour → S3, publishing ${RAW_POSTS_ASSET}`,
  schedule: '@hourly',
  start: '2026-01-01T00:00:00Z',
  // The high-water mark in the previous output covers any hours without a run.
  catchup: false,
  maxActiveRuns: 1,
  tags: ['example', 'reddit', 'aws', 'assets'],
  defaultTaskOptions: { retries: 2, retryDelay: '1m', exponentialBackoff: true, timeout: '20m' },
});

redditExtract.task(
  'stage_posts',
  { doc: 'New posts since the previous run → one gzipped JSON Lines object per hour; publishes the asset' },
  redditSubredditPosts({
    subreddit: EXTRACT_SUBREDDIT,
    incremental: true,
    stage: {
      bucket: LAKE_BUCKET,
      key: `${RAW_POSTS_PREFIX}/dt={{ ds }}/hour={{ logical_date | date('HH') }}/posts.jsonl.gz`,
      assetPrefix: RAW_POSTS_PREFIX,
    },
  }),
);

export default redditExtract;

/**
 * Staging of operator records to S3 as JSON Lines, through plugin-aws's `S3Hook` (no S3 code lives in this
 * package): key validation, streamed multipart upload, gzip and the asset event all come from plugin-aws.
 */
import type { TaskContext } from '@sluice/core';
import { DEFAULT_AWS_CONNECTION_ID, stageJsonLines, type RecordSource } from '@sluice/plugin-aws';
import { z } from 'zod';

/**
 * The `stage` field of the Reddit operators: where to write the records instead of returning them. Its
 * strings are templates (`{{ ds }}`, `{{ ts_nodash }}`, `{{ params.x }}`, …).
 */
export const stageFieldSchema = z
  .object({
    /** The `aws` connection (default `aws_default`). */
    connId: z.string().min(1).default(DEFAULT_AWS_CONNECTION_ID),
    /** Target bucket (template). */
    bucket: z.string().min(1),
    /**
     * Target key (template). Build it from interval variables, e.g.
     * `raw/reddit/{{ params.subreddit }}/dt={{ ds }}/posts-{{ ts_nodash }}.jsonl`, so that a rerun of the
     * same interval overwrites the same object.
     */
    key: z.string().min(1),
    /** gzip the object. Default: when the key ends with `.gz`. */
    gzip: z.boolean().optional(),
    /** Prefix of the asset event's URI (template). Default: the key's folder. */
    assetPrefix: z.string().optional(),
  })
  .strict();

/** The `stage` field as written in a DAG file. */
export type RedditStageInput = z.input<typeof stageFieldSchema>;
/** The `stage` field after defaults. */
export type RedditStageOptions = z.output<typeof stageFieldSchema>;

/** Where the records of a staged run went (the small part of a staged output). */
export interface RedditStagedLocation {
  bucket: string;
  key: string;
  /** `s3://bucket/key`. */
  url: string;
  /** Records written. */
  records: number;
  /** Uncompressed bytes written. */
  bytes: number;
  gzip: boolean;
  /** URI of the asset event recorded, `s3://bucket/<assetPrefix>`. */
  assetUri: string;
}

/**
 * Writes `records` as one JSON Lines object at the (already rendered) `stage.key` with plugin-aws's
 * `S3Hook.writeJsonLines` (streamed multipart upload; gzip optional) and records an asset event
 * `s3://bucket/<assetPrefix>` with `{ keys, records, bytes }`. Writing the same key again replaces the
 * object, so a rerun of the same interval never adds a duplicate. An empty run writes an empty object,
 * so a rerun that finds nothing also replaces what an earlier attempt wrote.
 * @throws S3KeyError for an invalid bucket, key or prefix; S3OperationError when S3 fails.
 */
export async function stageRecords(ctx: TaskContext, stage: RedditStageOptions, records: RecordSource): Promise<RedditStagedLocation> {
  return stageJsonLines(ctx, stage, records);
}

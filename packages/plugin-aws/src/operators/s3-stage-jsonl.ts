/** Operator `aws.s3-stage-jsonl`: stages records to S3 as one JSON Lines object under a templated key. */
import { defineOperator, ValidationError, type TaskContext } from '@sluice/core';
import type { RecordSource } from '../hooks/json-lines.js';
import { z } from 'zod';
import { DEFAULT_AWS_CONNECTION_ID } from '../hooks/aws-connection.js';
import { S3Hook } from '../hooks/s3.js';
import { formatS3Url, keyDirectory, validateBucketName, validateS3Key, validateS3Prefix } from '../hooks/s3-keys.js';

/** Fields of {@link s3StageJsonLines}. */
export const s3StageJsonLinesFields = z.object({
  /** The `aws` connection. */
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Target bucket (template). */
  bucket: z.string().min(1),
  /** Target key (template), e.g. `raw/reddit/dt={{ ds }}/part-{{ ts_nodash }}.jsonl.gz`. */
  key: z.string().min(1),
  /** Records to write; when left out, the task input named by `recordsInput` is used. */
  records: z.array(z.unknown()).optional(),
  /** Name of the task input holding the records array. Default `records`. */
  recordsInput: z.string().default('records'),
  /** gzip the object. Default: when the key ends with `.gz`. */
  gzip: z.boolean().optional(),
  /** Prefix of the asset event's URI (template). Default: the key's folder. */
  assetPrefix: z.string().optional(),
});

/** Output of {@link s3StageJsonLines}. */
export interface StageJsonLinesOutput {
  bucket: string;
  key: string;
  /** `s3://bucket/key` of the object written. */
  url: string;
  records: number;
  /** Uncompressed bytes. */
  bytes: number;
  /** URI of the asset event published, `s3://bucket/prefix`. */
  assetUri: string;
  /** Whether the object was gzipped. */
  gzip: boolean;
}

/** Where and how {@link stageJsonLines} writes. */
export interface StageJsonLinesTarget {
  connId?: string | undefined;
  bucket: string;
  key: string;
  /** Default: when the key ends with `.gz`. */
  gzip?: boolean | undefined;
  /** Prefix of the asset event's URI. Default: the key's folder. */
  assetPrefix?: string | undefined;
}

/**
 * Writes `records` as one JSON Lines object (streamed multipart upload, optional gzip) at a validated key
 * and records the asset event `s3://bucket/<prefix>` with `{ keys, records, bytes }`. The same key is
 * replaced on a rerun, so staging an interval twice never adds a duplicate. Every staging step (this
 * operator, plugin-reddit's `stage`) goes through here.
 * @throws S3KeyError for an invalid bucket, key or prefix; S3OperationError when S3 fails.
 */
export async function stageJsonLines(ctx: TaskContext, target: StageJsonLinesTarget, records: RecordSource): Promise<StageJsonLinesOutput> {
  const bucket = validateBucketName(target.bucket);
  const key = validateS3Key(target.key);
  const assetPrefix = validateS3Prefix(target.assetPrefix ?? keyDirectory(key)).replace(/\/+$/, '');
  const gzip = target.gzip ?? key.endsWith('.gz');
  const hook = new S3Hook(target.connId ?? DEFAULT_AWS_CONNECTION_ID, ctx);
  try {
    const written = await hook.writeJsonLines(bucket, key, records, { gzip });
    const url = formatS3Url(bucket, key);
    const assetUri = formatS3Url(bucket, assetPrefix);
    ctx.log.info('staged records', { url, records: written.records, bytes: written.bytes });
    ctx.recordAssetEvent(assetUri, { keys: [key], records: written.records, bytes: written.bytes });
    return { bucket, key, url, records: written.records, bytes: written.bytes, assetUri, gzip };
  } finally {
    await hook.destroy();
  }
}

/**
 * Writes the records as JSON Lines (gzip optional) to one object whose key is a template. Idempotent: a
 * rerun of the same interval renders the same key and overwrites the object, never adding a duplicate
 * (use interval variables such as `{{ ds }}`/`{{ ts_nodash }}`, or `{{ run_id }}` for per-run keys).
 * Records come from data and are never rendered as templates. Publishes an asset event
 * `s3://bucket/<assetPrefix>` with `{ keys, records, bytes }`.
 *
 * ```ts
 * d.task('stage', { inputs: { records: fetchPosts } },
 *   s3StageJsonLines({ bucket: 'lake', key: 'raw/reddit/dt={{ ds }}/part-{{ ts_nodash }}.jsonl.gz', assetPrefix: 'raw/reddit' }));
 * ```
 */
export const s3StageJsonLines = defineOperator({
  name: 'aws.s3-stage-jsonl',
  fields: s3StageJsonLinesFields,
  templateFields: ['bucket', 'key', 'assetPrefix'],
  async execute(ctx, fields, inputs): Promise<StageJsonLinesOutput> {
    const bucket = validateBucketName(fields.bucket);
    const key = validateS3Key(fields.key);
    const records = fields.records ?? inputs[fields.recordsInput];
    if (!Array.isArray(records)) {
      throw new ValidationError(
        `operator aws.s3-stage-jsonl: give 'records' or an input '${fields.recordsInput}' holding an array`,
        'records',
      );
    }
    return stageJsonLines(ctx, { connId: fields.connId, bucket, key, gzip: fields.gzip, assetPrefix: fields.assetPrefix }, records);
  },
});

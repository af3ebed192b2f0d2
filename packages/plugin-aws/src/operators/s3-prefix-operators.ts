/** Operators over every object under a prefix: `aws.s3-copy-prefix`, `aws.s3-move-prefix`, `aws.s3-delete-prefix`. */
import { defineOperator, ValidationError, type TaskContext } from '@sluice/core';
import { z } from 'zod';
import { DEFAULT_AWS_CONNECTION_ID } from '../hooks/aws-connection.js';
import { S3Hook } from '../hooks/s3.js';
import { formatS3Url, joinS3Key, validateBucketName, validateS3Prefix } from '../hooks/s3-keys.js';
import { mapWithConcurrency } from '../transfers/concurrency.js';

/** Fields of {@link s3CopyPrefix} and {@link s3MovePrefix}. */
export const s3CopyPrefixFields = z.object({
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Source bucket (template). */
  sourceBucket: z.string().min(1),
  /** Source prefix (template), e.g. `staging/dt={{ ds }}/`. */
  sourcePrefix: z.string().min(1),
  /** Target bucket (template). Default: the source bucket. */
  targetBucket: z.string().min(1).optional(),
  /** Target prefix (template); each key keeps its part after `sourcePrefix`. */
  targetPrefix: z.string().min(1),
  /** Copies at once. Default 8. */
  concurrency: z.number().int().min(1).max(64).default(8),
});

/** Output of the copy and move operators. */
export interface CopyPrefixOutput {
  sourceUrl: string;
  targetUrl: string;
  /** Objects copied (or moved). */
  count: number;
}

async function copyPrefix(ctx: TaskContext, fields: z.output<typeof s3CopyPrefixFields>, move: boolean): Promise<CopyPrefixOutput> {
  const sourceBucket = validateBucketName(fields.sourceBucket);
  const targetBucket = validateBucketName(fields.targetBucket ?? sourceBucket);
  const sourcePrefix = validateS3Prefix(fields.sourcePrefix);
  const targetPrefix = validateS3Prefix(fields.targetPrefix);
  if (sourceBucket === targetBucket && (targetPrefix.startsWith(sourcePrefix) || sourcePrefix.startsWith(targetPrefix))) {
    throw new ValidationError(`source prefix '${sourcePrefix}' and target prefix '${targetPrefix}' overlap`, 'targetPrefix');
  }
  const hook = new S3Hook(fields.connId, ctx);
  try {
    const sourceKeys = await hook.listKeys(sourceBucket, sourcePrefix);
    const targetKeys = await mapWithConcurrency(sourceKeys, fields.concurrency, async (key) => {
      const target = joinS3Key(targetPrefix, key.slice(sourcePrefix.length));
      await hook.copy(sourceBucket, key, targetBucket, target);
      return target;
    });
    if (move) await hook.deleteKeys(sourceBucket, sourceKeys);
    const output = {
      sourceUrl: formatS3Url(sourceBucket, sourcePrefix),
      targetUrl: formatS3Url(targetBucket, targetPrefix),
      count: sourceKeys.length,
    };
    ctx.log.info(move ? 'moved objects' : 'copied objects', { ...output });
    if (targetKeys.length > 0) {
      ctx.recordAssetEvent(formatS3Url(targetBucket, targetPrefix.replace(/\/+$/, '')), { keys: targetKeys, count: targetKeys.length });
    }
    return output;
  } finally {
    await hook.destroy();
  }
}

/**
 * Copies every object under `sourcePrefix` to `targetPrefix` (same relative keys), server side, and
 * publishes an asset event for the target prefix. Rerunning overwrites the same target keys.
 */
export const s3CopyPrefix = defineOperator({
  name: 'aws.s3-copy-prefix',
  fields: s3CopyPrefixFields,
  templateFields: ['sourceBucket', 'sourcePrefix', 'targetBucket', 'targetPrefix'],
  execute: (ctx, fields): Promise<CopyPrefixOutput> => copyPrefix(ctx, fields, false),
});

/**
 * Moves every object under `sourcePrefix` to `targetPrefix` (the "rename after load" step): copies all,
 * then deletes the sources. A rerun after a partial failure copies what is left and is safe.
 */
export const s3MovePrefix = defineOperator({
  name: 'aws.s3-move-prefix',
  fields: s3CopyPrefixFields,
  templateFields: ['sourceBucket', 'sourcePrefix', 'targetBucket', 'targetPrefix'],
  execute: (ctx, fields): Promise<CopyPrefixOutput> => copyPrefix(ctx, fields, true),
});

/** Fields of {@link s3DeletePrefix}. */
export const s3DeletePrefixFields = z.object({
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Bucket (template). */
  bucket: z.string().min(1),
  /** Prefix to empty (template); must not be empty. */
  prefix: z.string().min(1),
});

/** Deletes every object under a prefix (batches of 1,000). Output: `{ url, deleted }`. */
export const s3DeletePrefix = defineOperator({
  name: 'aws.s3-delete-prefix',
  fields: s3DeletePrefixFields,
  templateFields: ['bucket', 'prefix'],
  async execute(ctx, fields): Promise<{ url: string; deleted: number }> {
    const bucket = validateBucketName(fields.bucket);
    const prefix = validateS3Prefix(fields.prefix);
    if (prefix === '') throw new ValidationError('prefix rendered empty: refusing to delete a whole bucket', 'prefix');
    const hook = new S3Hook(fields.connId, ctx);
    try {
      const deleted = await hook.deletePrefix(bucket, prefix);
      ctx.log.info('deleted objects', { url: formatS3Url(bucket, prefix), deleted });
      return { url: formatS3Url(bucket, prefix), deleted };
    } finally {
      await hook.destroy();
    }
  },
});

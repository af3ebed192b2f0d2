/** Sensors `aws.s3-key-sensor` (an object exists) and `aws.s3-prefix-sensor` (a prefix has ≥ N objects). */
import { defineSensor } from '@sluice/core';
import { z } from 'zod';
import { DEFAULT_AWS_CONNECTION_ID } from '../hooks/aws-connection.js';
import { S3Hook } from '../hooks/s3.js';
import { validateBucketName, validateS3Key, validateS3Prefix } from '../hooks/s3-keys.js';

/** Fields of {@link s3KeySensor}. */
export const s3KeySensorFields = z.object({
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Bucket (template). */
  bucket: z.string().min(1),
  /** Key to wait for (template), e.g. `exports/dt={{ ds }}/_SUCCESS`. */
  key: z.string().min(1),
});

/**
 * Waits until an object exists; passes `{ key, size }` on. Mode (`poke`/`reschedule`), interval and timeout
 * are set per task in the DAG.
 */
export const s3KeySensor = defineSensor({
  name: 'aws.s3-key-sensor',
  fields: s3KeySensorFields,
  templateFields: ['bucket', 'key'],
  async poke(ctx, fields) {
    const hook = new S3Hook(fields.connId, ctx);
    try {
      const head = await hook.head(validateBucketName(fields.bucket), validateS3Key(fields.key));
      return head ? { done: true as const, output: { key: fields.key, size: head.size } } : false;
    } finally {
      await hook.destroy();
    }
  },
});

/** Fields of {@link s3PrefixSensor}. */
export const s3PrefixSensorFields = z.object({
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Bucket (template). */
  bucket: z.string().min(1),
  /** Prefix to count under (template). */
  prefix: z.string(),
  /** Objects needed. Default 1. */
  minObjects: z.number().int().min(1).default(1),
});

/** Waits until at least `minObjects` objects exist under `prefix`; passes `{ count }` on (counting stops at `minObjects`). */
export const s3PrefixSensor = defineSensor({
  name: 'aws.s3-prefix-sensor',
  fields: s3PrefixSensorFields,
  templateFields: ['bucket', 'prefix'],
  async poke(ctx, fields) {
    const hook = new S3Hook(fields.connId, ctx);
    try {
      const count = await hook.countObjects(validateBucketName(fields.bucket), validateS3Prefix(fields.prefix), fields.minObjects);
      ctx.log.debug('objects under prefix', { prefix: fields.prefix, count, needed: fields.minObjects });
      return count >= fields.minObjects ? { done: true as const, output: { count } } : false;
    } finally {
      await hook.destroy();
    }
  },
});

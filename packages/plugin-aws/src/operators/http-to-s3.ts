/** Transfer `aws.http-to-s3`: downloads a list of URLs into S3, politely (per-host rate limit, concurrency cap). */
import { createHash } from 'node:crypto';
import { defineOperator } from '@sluice/core';
import { z } from 'zod';
import { DEFAULT_AWS_CONNECTION_ID } from '../hooks/aws-connection.js';
import { S3Hook } from '../hooks/s3.js';
import { formatS3Url, joinS3Key, validateBucketName, validateS3Prefix } from '../hooks/s3-keys.js';
import { mapWithConcurrency } from '../transfers/concurrency.js';
import { HostRateLimiter } from '../transfers/host-rate-limiter.js';
import { downloadUrl } from '../transfers/http-download.js';

const urlItem = z.union([z.string(), z.object({ url: z.string(), key: z.string().optional() })]);

/** Fields of {@link httpToS3}. */
export const httpToS3Fields = z.object({
  connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
  /** Target bucket (template). */
  bucket: z.string().min(1),
  /** Target prefix (template), e.g. `media/dt={{ ds }}`. */
  prefix: z.string().min(1),
  /** URLs, or `{ url, key }` with a key relative to `prefix`. When left out, the input named `urlsInput`. */
  urls: z.array(urlItem).optional(),
  /** Name of the task input holding the URL list. Default `urls`. */
  urlsInput: z.string().default('urls'),
  /** Downloads at once, over all hosts. Default 4. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Minimum time between two request starts to one host, in ms. Default 1000. */
  perHostIntervalMs: z.number().int().min(0).default(1000),
  /** Skip bodies larger than this. Default 50 MiB. */
  maxBytes: z.number().int().min(1).default(50 * 1024 * 1024),
  /** Per-URL timeout in ms. Default 30 000. */
  timeoutMs: z.number().int().min(1).default(30_000),
});

/** One URL stored in S3. */
export interface TransferredUrl {
  url: string;
  key: string;
  bytes: number;
  contentType: string;
}

/** One URL not stored, with why (`http 404`, `timeout after 500 ms`, `larger than … bytes`, …). */
export interface SkippedUrl {
  url: string;
  reason: string;
}

/** Output of {@link httpToS3}. */
export interface HttpToS3Output {
  bucket: string;
  prefix: string;
  transferred: TransferredUrl[];
  skipped: SkippedUrl[];
}

/** The key of a URL without an explicit key: a hash of the URL plus its file extension (stable across reruns). */
export function keyForUrl(url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 24);
  let extension = '';
  try {
    extension = /\.([A-Za-z0-9]{1,5})$/.exec(new URL(url).pathname)?.[0]?.toLowerCase() ?? '';
  } catch {
    // An invalid URL is skipped later with a reason.
  }
  return `${hash}${extension}`;
}

/**
 * Downloads each URL and stores it under `prefix` with its Content-Type. Requests to one host start at
 * least `perHostIntervalMs` apart, at most `concurrency` run at once. Non-2xx answers, timeouts, bodies
 * over `maxBytes` and network errors are skipped with a recorded reason (the task still succeeds).
 * Keys are stable per URL, so a rerun overwrites instead of duplicating. Publishes an asset event for
 * `s3://bucket/prefix` with the keys written.
 */
export const httpToS3 = defineOperator({
  name: 'aws.http-to-s3',
  fields: httpToS3Fields,
  templateFields: ['bucket', 'prefix'],
  async execute(ctx, fields, inputs): Promise<HttpToS3Output> {
    const bucket = validateBucketName(fields.bucket);
    const prefix = validateS3Prefix(fields.prefix).replace(/\/+$/, '');
    const items = z.array(urlItem).parse(fields.urls ?? inputs[fields.urlsInput] ?? []);
    const limiter = new HostRateLimiter(fields.perHostIntervalMs);
    const hook = new S3Hook(fields.connId, ctx);
    const transferred: TransferredUrl[] = [];
    const skipped: SkippedUrl[] = [];
    try {
      await mapWithConcurrency(items, fields.concurrency, async (item) => {
        const url = typeof item === 'string' ? item : item.url;
        const key = joinS3Key(prefix, (typeof item === 'string' ? undefined : item.key) ?? keyForUrl(url));
        let host = '';
        try {
          host = new URL(url).host;
        } catch {
          skipped.push({ url, reason: 'invalid url' });
          return;
        }
        await limiter.acquire(host, ctx.signal);
        const result = await downloadUrl(url, { timeoutMs: fields.timeoutMs, maxBytes: fields.maxBytes, signal: ctx.signal });
        if (!result.ok) {
          ctx.log.warn('url skipped', { url, reason: result.reason });
          skipped.push({ url, reason: result.reason });
          return;
        }
        await hook.put(bucket, key, result.body, { contentType: result.contentType });
        transferred.push({ url, key, bytes: result.body.length, contentType: result.contentType });
      });
    } finally {
      await hook.destroy();
    }
    ctx.log.info('http-to-s3 done', { transferred: transferred.length, skipped: skipped.length });
    if (transferred.length > 0) {
      ctx.recordAssetEvent(formatS3Url(bucket, prefix), { keys: transferred.map((t) => t.key), count: transferred.length });
    }
    return { bucket, prefix, transferred, skipped };
  },
});

/**
 * `S3Hook`: the one S3 client wrapper every S3 operator and sensor uses (and the crawler and DynamoDB
 * loader build on). It owns an `aws` connection and the client built from it, and knows nothing of
 * scheduling.
 */
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Connection, Hook } from '@sluice/core';
import { S3OperationError } from '../errors.js';
import { DEFAULT_AWS_CONNECTION_ID, resolveAwsConnection, s3ClientConfig } from './aws-connection.js';
import { jsonLinesStream, parseJsonLines, type JsonLinesCounts, type RecordSource } from './json-lines.js';
import { validateBucketName, validateS3Key, validateS3Prefix } from './s3-keys.js';

/** What a hook needs from its caller: a connection lookup (a TaskContext fits) and an optional abort signal. */
export interface AwsHookContext {
  getConnection(id: string): Promise<Connection>;
  readonly signal?: AbortSignal | undefined;
}

/** An object in a listing. */
export interface S3ObjectSummary {
  key: string;
  size: number;
  lastModified?: Date | undefined;
  etag?: string | undefined;
}

/** Options of uploads and puts. */
export interface S3PutOptions {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  /** Multipart part size in bytes (streams only). Default 8 MiB; S3's minimum is 5 MiB. */
  partSize?: number | undefined;
  /** Parts uploaded at once (streams only). Default 4. */
  queueSize?: number | undefined;
}

/** Result of writing a JSON Lines object. */
export interface JsonLinesWriteResult extends JsonLinesCounts {
  key: string;
}

/** Keys per DeleteObjects request (S3's limit). */
export const DELETE_BATCH_SIZE = 1000;

/**
 * Encodes a key for `CopySource` (`bucket/key`, URL-encoded). `/ = : @ , ; $` stay literal: they decode to
 * themselves, and S3-compatible servers that decode with `decodeURI` (s3rver) would otherwise miss them.
 */
function copySource(bucket: string, key: string): string {
  const encoded = encodeURIComponent(key).replace(/%(2F|3D|3A|40|2C|3B|24)/g, (escape) => decodeURIComponent(escape));
  return `${bucket}/${encoded}`;
}

/** True for an S3OperationError caused by a missing object (not a missing bucket). */
function isMissingObject(error: unknown): boolean {
  const cause = (error as { cause?: { name?: string } } | undefined)?.cause;
  return cause?.name === 'NotFound' || cause?.name === 'NoSuchKey';
}

/**
 * S3 through an `aws` connection (see {@link resolveAwsConnection}). Every key given to a method is
 * validated with {@link validateS3Key}; bucket names with {@link validateBucketName}.
 *
 * ```ts
 * const s3 = new S3Hook('aws_default', ctx);
 * await s3.writeJsonLines('lake', 'raw/dt=2026-01-01/part-0.jsonl.gz', rows, { gzip: true });
 * for await (const o of s3.listObjects('lake', 'raw/')) ctx.log.info(o.key);
 * ```
 */
export class S3Hook implements Hook {
  private clientPromise: Promise<S3Client> | undefined;

  /**
   * @param connectionId - the `aws` connection (default `aws_default`).
   * @param ctx - resolves the connection; its `signal` aborts every call.
   * @param client - an already built client to use instead of building one from the connection.
   */
  constructor(
    readonly connectionId: string = DEFAULT_AWS_CONNECTION_ID,
    private readonly ctx: AwsHookContext,
    client?: S3Client,
  ) {
    if (client) this.clientPromise = Promise.resolve(client);
  }

  /** The S3 client, built once from the connection. */
  async getClient(): Promise<S3Client> {
    this.clientPromise ??= this.ctx
      .getConnection(this.connectionId)
      .then(async (connection) => new S3Client(s3ClientConfig(await resolveAwsConnection(connection))));
    return this.clientPromise;
  }

  /** Closes the client's sockets. The hook builds a new client if used again. */
  async destroy(): Promise<void> {
    const client = await this.clientPromise?.catch(() => undefined);
    this.clientPromise = undefined;
    client?.destroy();
  }

  private async call<T>(operation: string, where: string, send: (client: S3Client, signal?: AbortSignal) => Promise<T>): Promise<T> {
    const client = await this.getClient();
    try {
      return await send(client, this.ctx.signal);
    } catch (error) {
      const name = (error as Error)?.name ?? 'Error';
      throw new S3OperationError(`S3 ${operation} ${where} failed: ${name}: ${(error as Error)?.message ?? ''}`, operation, { cause: error });
    }
  }

  private opts(): { abortSignal?: AbortSignal } {
    return this.ctx.signal ? { abortSignal: this.ctx.signal } : {};
  }

  /** Writes a string or bytes in one PutObject (use {@link upload} for streams and large bodies). */
  async put(bucket: string, key: string, body: string | Uint8Array, options: S3PutOptions = {}): Promise<void> {
    validateBucketName(bucket);
    validateS3Key(key);
    await this.call('PutObject', `s3://${bucket}/${key}`, (client) =>
      client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: options.contentType, ContentEncoding: options.contentEncoding }),
        this.opts(),
      ),
    );
  }

  /**
   * Uploads a stream (or bytes) with multipart upload through `@aws-sdk/lib-storage`: parts are sent as
   * the stream is read, so memory stays bounded by `partSize × queueSize`. Small bodies go in one request.
   */
  async upload(bucket: string, key: string, body: Readable | Uint8Array | string, options: S3PutOptions = {}): Promise<void> {
    validateBucketName(bucket);
    validateS3Key(key);
    await this.call('Upload', `s3://${bucket}/${key}`, async (client) => {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: options.contentType, ContentEncoding: options.contentEncoding },
        partSize: options.partSize ?? 8 * 1024 * 1024,
        queueSize: options.queueSize ?? 4,
        leavePartsOnError: false,
      });
      const onAbort = (): void => void upload.abort().catch(() => undefined);
      this.ctx.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } finally {
        this.ctx.signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  /** The object's body as a Node stream. @throws S3OperationError (cause `NoSuchKey` when it does not exist). */
  async getStream(bucket: string, key: string): Promise<Readable> {
    validateS3Key(key);
    const response = await this.call('GetObject', `s3://${bucket}/${key}`, (client) =>
      client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), this.opts()),
    );
    return response.Body as Readable;
  }

  /** The object's body as bytes. */
  async getBytes(bucket: string, key: string): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.getStream(bucket, key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** The object's body as UTF-8 text. */
  async getString(bucket: string, key: string): Promise<string> {
    return Buffer.from(await this.getBytes(bucket, key)).toString('utf8');
  }

  /** Metadata of an object, or `undefined` when it does not exist. */
  async head(bucket: string, key: string): Promise<{ size: number; contentType?: string | undefined; etag?: string | undefined } | undefined> {
    validateS3Key(key);
    try {
      const r = await this.call('HeadObject', `s3://${bucket}/${key}`, (client) =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), this.opts()),
      );
      return { size: r.ContentLength ?? 0, contentType: r.ContentType, etag: r.ETag };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  /** True when the object exists. */
  async exists(bucket: string, key: string): Promise<boolean> {
    return (await this.head(bucket, key)) !== undefined;
  }

  /** Every object under `prefix`, page after page (ListObjectsV2, 1,000 per page), in key order. */
  async *listObjects(bucket: string, prefix = ''): AsyncGenerator<S3ObjectSummary> {
    validateS3Prefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', `s3://${bucket}/${prefix}`, (client) =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }), this.opts()),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** All keys under `prefix` (every page). */
  async listKeys(bucket: string, prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of this.listObjects(bucket, prefix)) keys.push(o.key);
    return keys;
  }

  /** Counts objects under `prefix`; stops early once `atLeast` is reached (when given). */
  async countObjects(bucket: string, prefix = '', atLeast = Infinity): Promise<number> {
    let count = 0;
    for await (const _ of this.listObjects(bucket, prefix)) {
      if (++count >= atLeast) break;
    }
    return count;
  }

  /** Copies one object (server side; up to 5 GB). */
  async copy(sourceBucket: string, sourceKey: string, targetBucket: string, targetKey: string): Promise<void> {
    validateS3Key(sourceKey);
    validateBucketName(targetBucket);
    validateS3Key(targetKey);
    await this.call('CopyObject', `s3://${sourceBucket}/${sourceKey} -> s3://${targetBucket}/${targetKey}`, (client) =>
      client.send(new CopyObjectCommand({ Bucket: targetBucket, Key: targetKey, CopySource: copySource(sourceBucket, sourceKey) }), this.opts()),
    );
  }

  /** Copies then deletes the source. */
  async move(sourceBucket: string, sourceKey: string, targetBucket: string, targetKey: string): Promise<void> {
    await this.copy(sourceBucket, sourceKey, targetBucket, targetKey);
    if (sourceBucket !== targetBucket || sourceKey !== targetKey) await this.deleteKeys(sourceBucket, [sourceKey]);
  }

  /** Deletes keys in batches of 1,000 (DeleteObjects); returns how many were deleted. @throws S3OperationError listing failures. */
  async deleteKeys(bucket: string, keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += DELETE_BATCH_SIZE) {
      const batch = keys.slice(i, i + DELETE_BATCH_SIZE).map((key) => ({ Key: validateS3Key(key) }));
      const result = await this.call('DeleteObjects', `s3://${bucket} (${batch.length} keys)`, (client) =>
        client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }), this.opts()),
      );
      const errors = result.Errors ?? [];
      if (errors.length > 0) {
        const first = errors[0];
        throw new S3OperationError(
          `S3 DeleteObjects s3://${bucket}: ${errors.length} key(s) not deleted, first '${first?.Key ?? ''}': ${first?.Code ?? ''}`,
          'DeleteObjects',
        );
      }
      deleted += batch.length;
    }
    return deleted;
  }

  /** Deletes every object under `prefix` (which must not be empty); returns how many. */
  async deletePrefix(bucket: string, prefix: string): Promise<number> {
    if (!validateS3Prefix(prefix)) throw new S3OperationError('refusing to delete a whole bucket: prefix is empty', 'DeleteObjects');
    return this.deleteKeys(bucket, await this.listKeys(bucket, prefix));
  }

  /**
   * Writes records as JSON Lines (gzip when `gzip`), streamed through a multipart upload. Writing the same
   * key again replaces the object, so reruns are idempotent.
   */
  async writeJsonLines(bucket: string, key: string, records: RecordSource, options: { gzip?: boolean } = {}): Promise<JsonLinesWriteResult> {
    const gzip = options.gzip ?? key.endsWith('.gz');
    const counts: JsonLinesCounts = { records: 0, bytes: 0 };
    // No Content-Encoding: a `.jsonl.gz` object is a gzip file, not a transparently compressed response.
    await this.upload(bucket, key, jsonLinesStream(records, gzip, counts), {
      contentType: gzip ? 'application/gzip' : 'application/x-ndjson',
    });
    return { key, ...counts };
  }

  /** Reads a JSON Lines object record by record (gunzips when `gzip`, default: key ends with `.gz`). */
  async *readJsonLines(bucket: string, key: string, options: { gzip?: boolean } = {}): AsyncGenerator<unknown> {
    const stream = await this.getStream(bucket, key);
    yield* parseJsonLines(stream, options.gzip ?? key.endsWith('.gz'), `s3://${bucket}/${key}`);
  }
}

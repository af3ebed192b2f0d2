import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapWithConcurrency, S3Hook } from '../src/index.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';

const BUCKET = 'hook-tests';
let s3: LocalS3Server;
let hook: S3Hook;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET, 'other-bucket'] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
});

describe('S3Hook', () => {
  it('puts and gets strings and bytes, and knows what exists', async () => {
    await hook.put(BUCKET, 'a/hello.txt', 'hello', { contentType: 'text/plain' });
    await hook.put(BUCKET, 'a/bytes.bin', new Uint8Array([0, 1, 2, 255]));
    expect(await hook.getString(BUCKET, 'a/hello.txt')).toBe('hello');
    expect([...(await hook.getBytes(BUCKET, 'a/bytes.bin'))]).toEqual([0, 1, 2, 255]);
    expect(await hook.head(BUCKET, 'a/hello.txt')).toMatchObject({ size: 5, contentType: 'text/plain' });
    expect(await hook.exists(BUCKET, 'a/hello.txt')).toBe(true);
    expect(await hook.exists(BUCKET, 'a/missing.txt')).toBe(false);
  });

  it('lists every page of a prefix with more than 1,000 objects, then deletes them in batches', async () => {
    const keys = Array.from({ length: 1234 }, (_, i) => `many/obj-${String(i).padStart(5, '0')}.txt`);
    await mapWithConcurrency(keys, 32, (key) => hook.put(BUCKET, key, key));
    const listed = await hook.listKeys(BUCKET, 'many/');
    expect(listed).toHaveLength(1234);
    expect(new Set(listed)).toEqual(new Set(keys));
    expect(await hook.countObjects(BUCKET, 'many/', 10)).toBe(10);
    expect(await hook.deletePrefix(BUCKET, 'many/')).toBe(1234);
    expect(await hook.listKeys(BUCKET, 'many/')).toEqual([]);
  });

  it('streams a multi-part upload and reads it back byte for byte', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 123);
    const chunks = function* (): Generator<Buffer> {
      for (let at = 0; at < data.length; at += 64 * 1024) yield data.subarray(at, at + 64 * 1024);
    };
    await hook.upload(BUCKET, 'big/blob.bin', Readable.from(chunks()), { partSize: 5 * 1024 * 1024 });
    const back = Buffer.from(await hook.getBytes(BUCKET, 'big/blob.bin'));
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    const stream = await hook.getStream(BUCKET, 'big/blob.bin');
    let streamed = 0;
    for await (const chunk of stream) streamed += (chunk as Buffer).length;
    expect(streamed).toBe(data.length);
  });

  it('round-trips JSON Lines, plain and gzip', async () => {
    const records = [{ id: 1, title: 'héllo "quoted"\nnewline' }, { id: 2, nested: { a: [1, 2] } }, null, 'text'];
    const plain = await hook.writeJsonLines(BUCKET, 'jsonl/plain.jsonl', records);
    expect(plain).toMatchObject({ records: 4 });
    const zipped = await hook.writeJsonLines(BUCKET, 'jsonl/zipped.jsonl.gz', records);
    const raw = Buffer.from(await hook.getBytes(BUCKET, 'jsonl/zipped.jsonl.gz'));
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
    expect(zipped.bytes).toBe(plain.bytes);
    for (const key of ['jsonl/plain.jsonl', 'jsonl/zipped.jsonl.gz']) {
      const back: unknown[] = [];
      for await (const record of hook.readJsonLines(BUCKET, key)) back.push(record);
      expect(back).toEqual(records);
    }
  });

  it('writes JSON Lines from an async iterable', async () => {
    async function* rows(): AsyncGenerator<{ n: number }> {
      for (let n = 0; n < 500; n++) yield { n };
    }
    const written = await hook.writeJsonLines(BUCKET, 'jsonl/async.jsonl.gz', rows(), { gzip: true });
    expect(written.records).toBe(500);
    let count = 0;
    for await (const _ of hook.readJsonLines(BUCKET, 'jsonl/async.jsonl.gz')) count++;
    expect(count).toBe(500);
  });

  it('copies and moves objects, also across buckets', async () => {
    await hook.put(BUCKET, 'copy/src file.txt', 'payload');
    await hook.copy(BUCKET, 'copy/src file.txt', 'other-bucket', 'copied/x.txt');
    expect(await hook.getString('other-bucket', 'copied/x.txt')).toBe('payload');
    await hook.move(BUCKET, 'copy/src file.txt', BUCKET, 'copy/moved.txt');
    expect(await hook.exists(BUCKET, 'copy/src file.txt')).toBe(false);
    expect(await hook.getString(BUCKET, 'copy/moved.txt')).toBe('payload');
  });

  it('rejects invalid keys before calling S3', async () => {
    await expect(hook.put(BUCKET, '../escape', 'x')).rejects.toMatchObject({ name: 'S3KeyError' });
    await expect(hook.put(BUCKET, '/abs', 'x')).rejects.toMatchObject({ name: 'S3KeyError' });
    await expect(hook.deletePrefix(BUCKET, '')).rejects.toMatchObject({ name: 'S3OperationError' });
  });

  it('wraps S3 failures in S3OperationError with the operation and cause', async () => {
    const error = await hook.put('no-such-bucket', 'k.txt', 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'S3OperationError', operation: 'PutObject' });
    expect((error as Error).message).toContain('s3://no-such-bucket/k.txt');
    expect((error as Error).cause).toBeDefined();
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpToS3, keyForUrl, S3Hook } from '../src/index.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';
import { fakeContext } from './fake-context.js';

const BUCKET = 'media';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
let s3: LocalS3Server;
let hook: S3Hook;
let web: Server;
let base: string;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
  web = createServer((req, res) => {
    if (req.url?.startsWith('/img/')) return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (req.url === '/big.bin') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(5000));
    if (req.url === '/slow.jpg') {
      const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'image/jpeg' }).end('late'), 3000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
  web?.closeAllConnections();
  await new Promise((resolve) => web?.close(resolve));
});

describe('aws.http-to-s3', () => {
  it('stores images with their content type and skips 404, timeouts and oversized bodies with a reason', async () => {
    const ctx = fakeContext([s3.connection()], { ds: '2026-01-02' });
    const urls = [`${base}/img/a.png`, `${base}/img/b.png`, `${base}/missing.png`, `${base}/slow.jpg`, `${base}/big.bin`];
    const operator = httpToS3({ bucket: BUCKET, prefix: 'media/dt={{ ds }}', urls, perHostIntervalMs: 100, concurrency: 3, timeoutMs: 300, maxBytes: 1000 });
    // Request starts as the client makes them (the server's arrival times also carry its event-loop delays).
    const requestStarts: number[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      requestStarts.push(Date.now());
      return realFetch(input, init);
    });
    const out = await operator.run(ctx, {});
    vi.mocked(globalThis.fetch).mockRestore();
    expect(requestStarts).toHaveLength(urls.length);
    expect(out.transferred.map((t) => t.url).sort()).toEqual([`${base}/img/a.png`, `${base}/img/b.png`]);
    expect(Object.fromEntries(out.skipped.map((s) => [s.url.slice(base.length), s.reason]))).toEqual({
      '/missing.png': 'http 404',
      '/slow.jpg': 'timeout after 300 ms',
      '/big.bin': 'larger than 1000 bytes',
    });
    const a = out.transferred.find((t) => t.url.endsWith('/a.png'));
    expect(a?.key).toBe(`media/dt=2026-01-02/${keyForUrl(`${base}/img/a.png`)}`);
    expect(a?.key.endsWith('.png')).toBe(true);
    expect(await hook.head(BUCKET, a!.key)).toMatchObject({ size: PNG.length, contentType: 'image/png' });
    expect(Buffer.from(await hook.getBytes(BUCKET, a!.key)).equals(PNG)).toBe(true);
    expect(ctx.assetEvents).toEqual([{ uri: 's3://media/media/dt=2026-01-02', metadata: { keys: expect.any(Array), count: 2 } }]);

    // Per-host limit: request starts to the one host are at least ~100 ms apart despite concurrency 3.
    const times = [...requestStarts].sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(90);

    // A rerun writes the same keys: no duplicates.
    await operator.run(ctx, {});
    expect(await hook.listKeys(BUCKET, 'media/dt=2026-01-02/')).toHaveLength(2);
  });

  it('takes URLs from an upstream input and explicit keys', async () => {
    const ctx = fakeContext([s3.connection()]);
    const out = await httpToS3({ bucket: BUCKET, prefix: 'named', perHostIntervalMs: 0 }).run(ctx, {
      urls: [{ url: `${base}/img/c.png`, key: 'c.png' }, 'not a url', 'ftp://example.com/x'],
    });
    expect(out.transferred).toEqual([{ url: `${base}/img/c.png`, key: 'named/c.png', bytes: PNG.length, contentType: 'image/png' }]);
    expect(out.skipped).toEqual([
      { url: 'not a url', reason: 'invalid url' },
      { url: 'ftp://example.com/x', reason: 'unsupported protocol' },
    ]);
  });
});

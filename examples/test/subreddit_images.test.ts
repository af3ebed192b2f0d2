/**
 * End to end: subreddit_images against the local environment's S3, with a Reddit stand-in and an image host
 * of this test's own (so the test can read the Reddit request times and script 404s, oversized images and
 * non-image answers). The expected summary is computed here from the generated posts: the top 100 valid
 * posts, their gallery or preview image URLs, and the image host's rule for each URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { testDag, type TestDagResult } from '@sluice/core/testing';
import { FakeRedditServer, generatePosts, orderPosts, type FakePost } from '@sluice/plugin-reddit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV } from '../../test-support/env.js';
import { createDatabase, databaseUrl, dropDatabase } from '../../test-support/postgres-admin.js';
import subredditImages from '../dags/subreddit_images.js';
import { startLocalEnvironment, type LocalEnvironment } from '../env/local-environment.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MAX_IMAGE_BYTES = 100_000;
const PER_HOST_INTERVAL_MS = 100;
const CONF = { subreddit: 'aww', sort: 'top', maxImageBytes: MAX_IMAGE_BYTES, perHostIntervalMs: PER_HOST_INTERVAL_MS };

type Answer = 'image' | '404' | 'large' | 'html';

/** The image host's deterministic rule for a path: ~10% 404, ~10% oversized, ~10% an HTML page, the rest images. */
function answerFor(path: string): Answer {
  const byte = createHash('sha256').update(path).digest()[0] as number;
  return (['404', 'large', 'html'] as const)[byte % 10] ?? 'image';
}

function imageBytes(path: string, size: number): Buffer {
  const seed = createHash('sha256').update(path).digest();
  return Buffer.from(Array.from({ length: size }, (_, i) => seed[i % seed.length] as number));
}

interface ImageHost {
  url: string;
  requests: { path: string; at: number }[];
  server: Server;
}

async function startImageHost(): Promise<ImageHost> {
  const requests: ImageHost['requests'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, at: Date.now() });
    const answer = answerFor(path);
    if (answer === '404') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
    if (answer === 'html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>removed</html>');
    const body = imageBytes(path, answer === 'large' ? 2 * MAX_IMAGE_BYTES : 300);
    res.writeHead(200, { 'content-type': path.endsWith('.png') ? 'image/png' : 'image/jpeg', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

const IMAGE_URL = /^https:\/\/(i\.redd\.it|i\.imgur\.com|preview\.redd\.it)\//;

/** The post with its image URLs on the test's image host; a direct image gets a preview pointing at itself. */
function localize(post: FakePost, host: string): FakePost {
  const copy = structuredClone(post) as FakePost & { preview?: { images: { source: { url: string } }[] }; media_metadata?: Record<string, { s: { u: string } }> };
  const local = (url: string): string => url.replace(IMAGE_URL, `${host}/$1/`);
  if (typeof copy.url === 'string' && IMAGE_URL.test(copy.url)) {
    const url = local(copy.url);
    copy.url = url;
    copy.preview ??= { images: [{ source: { url } }] };
  }
  for (const image of copy.preview?.images ?? []) image.source.url = local(image.source.url);
  for (const entry of Object.values(copy.media_metadata ?? {})) entry.s.u = local(entry.s.u);
  return copy;
}

/** A post's image URLs read from its raw shape: gallery images in order, else the preview; none for self posts. */
function imageUrlsOf(post: FakePost): string[] {
  const raw = post as { gallery_data?: { items: { media_id: string }[] }; media_metadata?: Record<string, { s: { u: string } }>; preview?: { images: { source: { url: string } }[] } };
  if (raw.gallery_data && raw.media_metadata) return raw.gallery_data.items.map((item) => (raw.media_metadata?.[item.media_id]?.s.u ?? '').replaceAll('&amp;', '&'));
  return (raw.preview?.images ?? []).map((image) => image.source.url.replaceAll('&amp;', '&'));
}

describe('subreddit_images', () => {
  let env: LocalEnvironment;
  let reddit: FakeRedditServer;
  let images: ImageHost;
  let posts: FakePost[];
  let first: TestDagResult;
  const logicalDate = new Date('2026-03-01T09:30:00Z');

  beforeAll(async () => {
    env = await startLocalEnvironment({ subreddits: ['pics'], redditPosts: 10, redditDaysBack: 0 });
    images = await startImageHost();
    reddit = await FakeRedditServer.start({ clientId: 'e3-client', rateLimit: { budget: 100_000, windowSeconds: 600 } });
    posts = generatePosts({ subreddit: 'aww', count: 300, start: Date.now() - 6 * 3_600_000, everySeconds: 60, seed: 606, malformedEvery: 23 }).map((p) =>
      localize(p, images.url),
    );
    reddit.addPosts('aww', posts);
  });

  afterAll(async () => {
    await reddit?.close();
    await new Promise<void>((resolve) => (images ? images.server.close(() => resolve()) : resolve()));
    images?.server.closeAllConnections();
    await env?.stop();
  });

  const run = (conf: unknown): Promise<TestDagResult> =>
    testDag(subredditImages, {
      logicalDate,
      conf,
      env: { ...env.env, SLUICE_CONN_REDDIT_DEFAULT: JSON.stringify(reddit.connection()) },
      timeoutMs: 240_000,
    });

  async function keysUnder(prefix: string): Promise<string[]> {
    const listed = await env.s3.client.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  /** What the summary must say, from the generated posts and the image host's rule. */
  function expectedSummary(): { downloaded: number; requestedNotDownloaded: number; skippedByReason: Record<string, number>; malformed: number; postsWithImages: number } {
    const valid = (p: FakePost): boolean => typeof p.title === 'string' && typeof p.created_utc === 'number';
    const listing = orderPosts(posts, 'top', 'day', Date.now() / 1000, 1000);
    const top = listing.filter(valid).slice(0, 100);
    const lastIndex = listing.indexOf(top[top.length - 1] as FakePost);
    const skippedByReason: Record<string, number> = {};
    const skip = (reason: string): void => void (skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1);
    let downloaded = 0;
    let requestedNotDownloaded = 0;
    let postsWithImages = 0;
    for (const post of top) {
      const urls = imageUrlsOf(post);
      if (urls.length === 0) skip('not an image');
      else postsWithImages += 1;
      for (const url of urls) {
        const answer = answerFor(new URL(url).pathname);
        if (answer === 'image') downloaded += 1;
        else {
          requestedNotDownloaded += 1;
          skip({ '404': 'http 404', large: 'too large', html: 'not an image' }[answer]);
        }
      }
    }
    return { downloaded, requestedNotDownloaded, skippedByReason, postsWithImages, malformed: listing.slice(0, lastIndex + 1).filter((p) => !valid(p)).length };
  }

  it('downloads the images of the top 100 posts to images/<run_id>/, pacing Reddit and the image host', async () => {
    first = await run(CONF);
    expect(first.state, JSON.stringify(first.tasks.filter((t) => t.state !== 'success').map((t) => [t.taskId, t.mapIndex, t.error]))).toBe('success');
    const summary = first.tasks.find((t) => t.taskId === 'summary')?.output as {
      posts: number; malformedPosts: number; downloaded: number; skipped: number; skippedByReason: Record<string, number>; prefix: string;
    };
    const expected = expectedSummary();
    expect(expected.malformed).toBeGreaterThan(0);
    expect(summary).toMatchObject({ posts: 100, malformedPosts: expected.malformed, downloaded: expected.downloaded, skippedByReason: expected.skippedByReason });
    for (const reason of ['not an image', 'too large', 'http 404']) expect(summary.skippedByReason[reason]).toBeGreaterThan(0);
    expect(summary.prefix).toBe(`images/${first.runId}/`);

    // One mapped download per post with an image link, at most 4 at once.
    expect(first.tasks.filter((t) => t.taskId === 'download_images' && t.state === 'success')).toHaveLength(expected.postsWithImages);

    // The images are in S3 under the run's prefix, byte for byte what the host served.
    const keys = await keysUnder(summary.prefix);
    expect(keys).toContain(`${summary.prefix}summary.json`);
    expect(keys).toHaveLength(expected.downloaded + 1);
    const someImage = keys.find((k) => !k.endsWith('summary.json')) as string;
    const stored = await env.s3.client.send(new GetObjectCommand({ Bucket: env.s3.bucket, Key: someImage }));
    expect((await stored.Body?.transformToByteArray())?.length).toBe(300);

    // Reddit: 2 listing pages (the malformed posts push the 100th valid one onto page 2), ≥ 2 s apart.
    const api = reddit.apiRequests();
    expect(api.length).toBeGreaterThanOrEqual(2);
    assertSpacing(api.map((r) => r.at), 2000);
    // The image host (one host here): request starts are spaced by perHostIntervalMs, so the requests span at
    // least (n - 1) intervals (measured where they arrive, less a little delivery jitter).
    const times = images.requests.map((r) => r.at).sort((a, b) => a - b);
    expect(times.length).toBe(expected.downloaded + expected.requestedNotDownloaded);
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual((times.length - 1) * PER_HOST_INTERVAL_MS - 250);
  }, 300_000);

  it('a rerun of the same run overwrites the same keys and reports the same summary', async () => {
    const before = await keysUnder(`images/${first.runId}/`);
    const requestsBefore = reddit.apiRequests().length;
    const again = await run(CONF);
    expect(again.state).toBe('success');
    expect(again.runId).toBe(first.runId);
    expect(await keysUnder(`images/${first.runId}/`)).toEqual(before);
    const summaryOf = (r: TestDagResult): unknown => r.tasks.find((t) => t.taskId === 'summary')?.output;
    expect(summaryOf(again)).toEqual(summaryOf(first));
    // The module-wide pacing holds across runs too.
    expect(reddit.apiRequests().length).toBeGreaterThan(requestsBefore);
    assertSpacing(reddit.apiRequests().map((r) => r.at), 2000);
  }, 300_000);

  it('refuses a conf with a bad sort before anything runs (testDag and the CLI)', async () => {
    const requests = reddit.requests.length;
    await expect(run({ subreddit: 'aww', sort: 'best' })).rejects.toThrow(/params\.sort/);
    await expect(run({ sort: 'top' })).rejects.toThrow(/params\.subreddit/);
    expect(reddit.requests.length).toBe(requests);

    const cli = spawnSync(
      process.execPath,
      [join(REPO, 'packages/core/bin/sluice.js'), 'dags', 'test', 'subreddit_images', '--dags', 'dags', '--conf', '{"subreddit":"aww","sort":"best"}'],
      { cwd: join(REPO, 'examples'), encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env.env } },
    );
    expect(cli.status, cli.stderr).toBe(2);
    expect(cli.stderr + cli.stdout).toMatch(/params\.sort/);
  }, 180_000);

  it('the scheduler daemon loads the DAG file and the REST API triggers it: 201 with the run id, 400 for a bad sort', async () => {
    const adminUrl = process.env[TEST_ENV.adminUrl] ?? '';
    const store = `sluice_ex_images_${process.pid}_${randomBytes(4).toString('hex')}`;
    const dagsDir = join(REPO, 'examples', `.test-dags-${store}`);
    await createDatabase(adminUrl, store, 'template0');
    await mkdir(dagsDir, { recursive: true });
    await copyFile(join(REPO, 'examples/dags/subreddit_images.ts'), join(dagsDir, 'subreddit_images.ts'));
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/v1/dags/subreddit_images`;
    const daemon = spawn(process.execPath, [join(REPO, 'packages/core/bin/sluice.js'), 'scheduler', '--dags', dagsDir, '--port', String(port), '--grace', '5'], {
      cwd: join(REPO, 'examples'),
      env: { ...process.env, ...env.env, SLUICE_DATABASE_URL: databaseUrl(adminUrl, store), SLUICE_CONN_REDDIT_DEFAULT: JSON.stringify(reddit.connection()), SLUICE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    daemon.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
    try {
      await poll('the DAG to be loaded', 120_000, async () => ((await fetch(api)).status === 200 ? true : undefined));
      const bad = await fetch(`${api}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conf: { subreddit: 'aww', sort: 'best' } }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('conf.sort');

      const since = Date.now();
      const created = await fetch(`${api}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conf: CONF }) });
      expect(created.status, stderr).toBe(201);
      const { runId } = (await created.json()) as { runId: string };
      expect(runId).toMatch(/^manual__/);
      const state = await poll('the run to finish', 240_000, async () => {
        const run = (await (await fetch(`${api}/runs/${encodeURIComponent(runId)}`)).json()) as { state: string };
        return run.state === 'success' || run.state === 'failed' ? run.state : undefined;
      });
      expect(state, stderr).toBe('success');
      const keys = await keysUnder(`images/${runId}/`);
      expect(keys).toContain(`images/${runId}/summary.json`);
      expect(keys).toHaveLength(expectedSummary().downloaded + 1);
      const daemonRequests = reddit.apiRequests().filter((r) => r.at >= since);
      expect(daemonRequests.length).toBeGreaterThanOrEqual(2);
      assertSpacing(daemonRequests.map((r) => r.at), 2000);
    } finally {
      daemon.kill('SIGTERM');
      await exited;
      await rm(dagsDir, { recursive: true, force: true });
      await dropDatabase(adminUrl, store);
    }
  }, 420_000);
});

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function assertSpacing(times: readonly number[], minGapMs: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(minGapMs);
}

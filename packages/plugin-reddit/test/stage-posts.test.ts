import { dag, DEFAULT_MAX_OUTPUT_BYTES } from '@sluice/core';
import { testDag, type TestDagResult } from '@sluice/core/testing';
import { S3Hook } from '@sluice/plugin-aws';
import { startS3Server, type LocalS3Server } from '@sluice/plugin-aws/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clearRedditTokenCache } from '../src/hooks/reddit.js';
import {
  isStagedPostsOutput,
  redditSubredditPosts,
  type SubredditPostsOutput,
  type SubredditPostsResult,
  type SubredditPostsStagedOutput,
} from '../src/operators/subreddit-posts.js';
import { redditPostComments, type PostCommentsStagedOutput } from '../src/operators/post-comments.js';
import { redditMediaUrls } from '../src/operators/media-urls.js';
import { resetRateLimiters } from '../src/rate-limiter.js';
import { FakeRedditServer, generateComments, generatePosts, type FakePost } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';
import { readBack, stageEnv } from './stage-helpers.js';

const BUCKET = 'lake';
const LOGICAL_DATE = new Date('2026-03-04T05:00:00Z');
const KEY = 'raw/reddit/{{ params.subreddit }}/dt={{ ds }}/posts-{{ ts_nodash }}.jsonl';
const RENDERED_KEY = 'raw/reddit/typescript/dt=2026-03-04/posts-20260304T050000.jsonl';

let reddit: FakeRedditServer;
let s3: LocalS3Server;
let hook: S3Hook;

beforeAll(async () => {
  reddit = await FakeRedditServer.start({ rateLimit: { budget: 10_000_000, windowSeconds: 600 } });
  s3 = await startS3Server({ buckets: [BUCKET] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
  await reddit?.close();
  clearRedditTokenCache();
  resetRateLimiters();
});

beforeEach(() => {
  clearRedditTokenCache();
  resetRateLimiters();
});

function stagingDag(id: string, stage: { key: string; gzip?: boolean }, count = 100) {
  const d = dag({ id, schedule: null, params: z.object({ subreddit: z.string().default('typescript') }) });
  d.task('posts', redditSubredditPosts({ subreddit: '{{ params.subreddit }}', sort: 'new', count, stage: { bucket: BUCKET, ...stage } }));
  return d;
}

function postsTask(result: TestDagResult): SubredditPostsStagedOutput {
  const task = result.tasks.find((t) => t.taskId === 'posts');
  expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
  return task?.output as SubredditPostsStagedOutput;
}

/** The same listing, returned instead of staged. */
async function returnedPosts(subreddit: string, count: number): Promise<SubredditPostsOutput> {
  return redditSubredditPosts({ subreddit, sort: 'new', count }).run(fakeTaskContext(reddit.connection()), {});
}

describe('reddit.subreddit-posts with stage', () => {
  it('writes the normalised posts as JSON Lines under the rendered key and returns only their location', async () => {
    reddit.addPosts('typescript', generatePosts({ subreddit: 'typescript', count: 250, start: '2026-01-01T00:00:00Z', everySeconds: 300, seed: 21, malformedEvery: 50 }));
    const result = await testDag(stagingDag('reddit_stage_posts', { key: KEY }, 120), { logicalDate: LOGICAL_DATE, env: stageEnv(reddit, s3) });
    const out = postsTask(result);
    expect(out).not.toHaveProperty('posts');
    expect(out.staged).toMatchObject({ bucket: BUCKET, key: RENDERED_KEY, url: `s3://${BUCKET}/${RENDERED_KEY}`, records: 120, gzip: false });
    expect(out.highWaterMark).toBeNull();
    expect(out.counts).toMatchObject({ returned: 120 });
    expect(out.counts.skipped).toBeGreaterThan(0);

    const expected = await returnedPosts('typescript', 120);
    expect(await readBack(hook, BUCKET, RENDERED_KEY)).toEqual(expected.posts);
    expect((await hook.head(BUCKET, RENDERED_KEY))?.contentType).toBe('application/x-ndjson');
  });

  it('gzips when asked, or when the key ends with .gz', async () => {
    const env = stageEnv(reddit, s3);
    const expected = (await returnedPosts('typescript', 30)).posts;
    const asked = postsTask(await testDag(stagingDag('reddit_stage_gzip', { key: 'gz/dt={{ ds }}/posts.jsonl', gzip: true }, 30), { logicalDate: LOGICAL_DATE, env }));
    const bySuffix = postsTask(await testDag(stagingDag('reddit_stage_gz_suffix', { key: 'gz/dt={{ ds }}/posts.jsonl.gz' }, 30), { logicalDate: LOGICAL_DATE, env }));
    expect(asked.staged).toMatchObject({ key: 'gz/dt=2026-03-04/posts.jsonl', gzip: true, records: 30 });
    expect(bySuffix.staged).toMatchObject({ key: 'gz/dt=2026-03-04/posts.jsonl.gz', gzip: true, records: 30 });
    for (const key of [asked.staged.key, bySuffix.staged.key]) {
      const bytes = Buffer.from(await hook.getBytes(BUCKET, key));
      expect([...bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      expect(bytes.length).toBeLessThan(asked.staged.bytes);
    }
    expect(await readBack(hook, BUCKET, asked.staged.key, true)).toEqual(expected);
    expect(await readBack(hook, BUCKET, bySuffix.staged.key)).toEqual(expected);
  });

  it('a rerun of the same interval overwrites the same key: one object, new content', async () => {
    reddit.addPosts('rerun', generatePosts({ subreddit: 'rerun', count: 40, start: '2026-01-01T00:00:00Z', everySeconds: 60, seed: 2, firstId: 5_000_000 }));
    const env = stageEnv(reddit, s3);
    const d = stagingDag('reddit_stage_rerun', { key: KEY });
    const first = postsTask(await testDag(d, { logicalDate: LOGICAL_DATE, env, conf: { subreddit: 'rerun' } }));
    const key = 'raw/reddit/rerun/dt=2026-03-04/posts-20260304T050000.jsonl';
    expect(first.staged).toMatchObject({ key, records: 40 });

    reddit.addPosts('rerun', generatePosts({ subreddit: 'rerun', count: 15, start: '2026-01-02T00:00:00Z', everySeconds: 60, seed: 3, firstId: 6_000_000 }));
    const second = postsTask(await testDag(d, { logicalDate: LOGICAL_DATE, env, conf: { subreddit: 'rerun' } }));
    expect(second.staged).toMatchObject({ key, records: 55 });
    expect(await hook.listKeys(BUCKET, 'raw/reddit/rerun/')).toEqual([key]);
    const records = (await readBack(hook, BUCKET, key)) as { id: string }[];
    expect(records).toEqual((await returnedPosts('rerun', 100)).posts);
    expect(new Set(records.map((r) => r.id)).size).toBe(55);
  });

  it('keeps the output of 1000 staged posts far under the core output cap', async () => {
    reddit.addPosts('bigsub', generatePosts({ subreddit: 'bigsub', count: 1000, start: '2025-12-01T00:00:00Z', everySeconds: 60, seed: 9, firstId: 7_000_000 }));
    const d = stagingDag('reddit_stage_1000', { key: 'raw/reddit/{{ params.subreddit }}/dt={{ ds }}/posts.jsonl.gz' }, 1000);
    const out = postsTask(await testDag(d, { logicalDate: LOGICAL_DATE, env: stageEnv(reddit, s3), conf: { subreddit: 'bigsub' } }));
    expect(out.staged.records).toBe(1000);
    expect(out.counts.pages).toBe(10);
    const outputBytes = Buffer.byteLength(JSON.stringify(out));
    expect(outputBytes).toBeLessThan(4096);
    // The same posts returned would be this big: staging is what keeps a task of this size small.
    expect(out.staged.bytes).toBeGreaterThan(outputBytes * 100);
    expect(outputBytes).toBeLessThan(DEFAULT_MAX_OUTPUT_BYTES);
    const records = (await readBack(hook, BUCKET, out.staged.key)) as { id: string }[];
    expect(records).toHaveLength(1000);
    expect(new Set(records.map((r) => r.id)).size).toBe(1000);
  });

  it('records an asset event for the staged location with { keys, records }', async () => {
    const events: { uri: string; metadata: Record<string, unknown> | undefined }[] = [];
    const ctx = fakeTaskContext(reddit.connection(), {
      getConnection: async (id: string) => (id === 'aws_default' ? s3.connection() : reddit.connection()),
      recordAssetEvent: (uri: string, metadata?: Record<string, unknown>) => void events.push({ uri, metadata }),
    });
    const op = redditSubredditPosts({ subreddit: 'typescript', count: 10, stage: { bucket: BUCKET, key: 'assets/typescript/part.jsonl' } });
    const out = await op.run(ctx, {});
    expect(events).toEqual([{ uri: 's3://lake/assets/typescript', metadata: { keys: ['assets/typescript/part.jsonl'], records: 10, bytes: out.staged.bytes } }]);
    const fixed = redditSubredditPosts({ subreddit: 'typescript', count: 10, stage: { bucket: BUCKET, key: 'assets/typescript/dt=x/part.jsonl', assetPrefix: 'assets/typescript' } });
    expect((await fixed.run(ctx, {})).staged.assetUri).toBe('s3://lake/assets/typescript');
    expect(events[1]?.uri).toBe('s3://lake/assets/typescript');
  });

  it('validates the rendered key and the stage fields', async () => {
    const ctx = fakeTaskContext(reddit.connection(), { getConnection: async (id: string) => (id === 'aws_default' ? s3.connection() : reddit.connection()) });
    await expect(redditSubredditPosts({ subreddit: 'typescript', count: 5, stage: { bucket: BUCKET, key: 'raw/../x.jsonl' } }).run(ctx, {})).rejects.toMatchObject({ name: 'S3KeyError' });
    await expect(redditSubredditPosts({ subreddit: 'typescript', count: 5, stage: { bucket: 'Bad_Bucket', key: 'x.jsonl' } }).run(ctx, {})).rejects.toMatchObject({ name: 'S3KeyError' });
    expect(() => redditSubredditPosts({ subreddit: 'typescript', stage: { bucket: BUCKET, key: '' } })).toThrow(/stage\.key/);
    // @ts-expect-error -- unknown stage fields are refused
    expect(() => redditSubredditPosts({ subreddit: 'typescript', stage: { bucket: BUCKET, key: 'k', prefix: 'p' } })).toThrow(/stage/);
  });

  it('types: a downstream task reads either shape with its own type', () => {
    const staged = redditSubredditPosts({ subreddit: 'typescript', stage: { bucket: BUCKET, key: 'k.jsonl' } });
    const returned = redditSubredditPosts({ subreddit: 'typescript' });
    const d = dag({ id: 'reddit_stage_types', schedule: null });
    const a = d.task('a', staged);
    const b = d.task('b', returned);
    d.task('c', { inputs: { a, b } }, async (_ctx, { a: s, b: r }) => {
      const location: string = s.staged.url;
      const first: string | undefined = r.posts[0]?.id;
      const count = (either: SubredditPostsResult): number => (isStagedPostsOutput(either) ? either.staged.records : either.posts.length);
      return [location, first, count(s) + count(r)];
    });
    expect(d.structure().tasks.map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('reddit.media-urls explains that staged posts are not inline', async () => {
    const staged: SubredditPostsStagedOutput = {
      staged: { bucket: BUCKET, key: 'k.jsonl', url: 's3://lake/k.jsonl', records: 1, bytes: 10, gzip: false, assetUri: 's3://lake' },
      highWaterMark: null,
      counts: { fetched: 1, skipped: 0, returned: 1, pages: 1, end: 'enough' },
    };
    await expect(redditMediaUrls({}).run(fakeTaskContext(reddit.connection()), { posts: staged })).rejects.toThrow(/staged to s3:\/\/lake\/k\.jsonl/);
  });
});

describe('reddit.post-comments with stage', () => {
  it('stages the flattened comments and returns the post, counts and location', async () => {
    const [post] = generatePosts({ subreddit: 'typescript', count: 1, start: '2026-01-01T00:00:00Z', firstId: 9_000_000 }) as [FakePost];
    reddit.addPosts('typescript', [post]);
    reddit.setComments(post.id, generateComments(post, { count: 60, seed: 4 }));
    const d = dag({ id: 'reddit_stage_comments', schedule: null, params: z.object({ post: z.string().default(post.id) }) });
    d.task('comments', redditPostComments({ postId: '{{ params.post }}', stage: { bucket: BUCKET, key: 'raw/comments/{{ params.post }}/dt={{ ds }}.jsonl.gz' } }));
    const result = await testDag(d, { logicalDate: LOGICAL_DATE, env: stageEnv(reddit, s3) });
    expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
    const out = result.tasks[0]?.output as PostCommentsStagedOutput;
    expect(out).not.toHaveProperty('comments');
    expect(out.post?.id).toBe(post.id);
    expect(out.staged).toMatchObject({ key: `raw/comments/${post.id}/dt=2026-03-04.jsonl.gz`, records: 60, gzip: true });

    const returned = await redditPostComments({ postId: post.id }).run(fakeTaskContext(reddit.connection()), {});
    expect(await readBack(hook, BUCKET, out.staged.key)).toEqual(returned.comments);
    expect(out.counts).toEqual(returned.counts);
  });
});

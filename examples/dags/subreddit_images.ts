/**
 * subreddit-images: triggered on demand with `{"subreddit": "aww", "sort": "top"}`, downloads the images
 * of a subreddit's top posts into S3. The original was API Gateway → Lambda → S3; here the trigger is
 * `sluice dags trigger` or `POST /api/v1/dags/subreddit_images/runs`, and the conf is checked by `params`.
 *
 *   load_posts → keep_images → download_images (mapped: one instance per post) → summary
 *
 * - `load_posts` reads the listing with the Reddit plugin's hook, at most one Reddit API request every
 *   2 seconds (on top of the plugin's header-driven limiter), and keeps each post's image URLs
 *   (`selectMedia`: direct images and gallery images, a preview when a post has nothing better).
 * - `download_images` runs at most 4 posts at once (`maxActiveMapped`, in `default_pool`), spaces requests
 *   to one image host by `perHostIntervalMs` (a limiter shared by every instance in the process), refuses
 *   bodies over `maxImageBytes` and answers that are not `image/*`, and writes
 *   `images/<run_id>/<post id>/<n>.<ext>` — keys depend only on the run and the post, so a retry or a
 *   rerun overwrites and never duplicates.
 * - `summary` writes `images/<run_id>/summary.json` and returns it: downloaded, and skipped with reason
 *   (`not an image`, `too large`, `http 404`, …).
 */
import { z } from 'zod';
import { dag, sleep, type TaskContext } from '@sluice/core';
import { HostRateLimiter, S3Hook, downloadUrl } from '@sluice/plugin-aws';
import {
  LISTING_SORTS,
  LISTING_TIME_FILTERS,
  RedditHook,
  RedditRateLimiter,
  acceptPost,
  paginateListing,
  rateLimiterFor,
  selectMedia,
  subredditListingPath,
  type RecordCounts,
  type RedditMediaItem,
} from '@sluice/plugin-reddit';

const REDDIT_CONN = 'reddit_default';
/** At most one Reddit API request per this many ms, per client id and process. */
const REDDIT_MIN_INTERVAL_MS = 2000;
const MiB = 1024 * 1024;

/**
 * The plugin's shared, header-driven limiter of a client id, plus a minimum spacing: a request starts at
 * least `minIntervalMs` after the previous one started and after its response arrived, so Reddit never sees
 * two requests closer than that, however long the previous one took to reach it. Grants are serialised.
 */
class PacedRedditLimiter extends RedditRateLimiter {
  /** When the last request was granted, or its response arrived, whichever is later (epoch ms). */
  private lastGrant = Number.NEGATIVE_INFINITY;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly shared: RedditRateLimiter,
    private readonly minIntervalMs: number,
  ) {
    super();
  }

  override acquire(signal?: AbortSignal): Promise<void> {
    const granted = this.turn.then(async () => {
      await this.shared.acquire(signal);
      const wait = this.lastGrant + this.minIntervalMs - Date.now();
      if (wait > 0) await sleep(wait, signal);
      this.lastGrant = Date.now();
    });
    this.turn = granted.catch(() => undefined);
    return granted;
  }

  override update(headers: Headers): void {
    this.lastGrant = Math.max(this.lastGrant, Date.now());
    this.shared.update(headers);
  }

  override blockFor(ms: number): void {
    this.shared.blockFor(ms);
  }

  override snapshot(): ReturnType<RedditRateLimiter['snapshot']> {
    return this.shared.snapshot();
  }

  override delayBeforeNext(): number {
    return Math.max(this.shared.delayBeforeNext(), this.lastGrant + this.minIntervalMs - Date.now(), 0);
  }
}

const pacedLimiters = new Map<string, PacedRedditLimiter>();
const hostLimiters = new Map<number, HostRateLimiter>();

function pacedLimiterFor(clientId: string): PacedRedditLimiter {
  let limiter = pacedLimiters.get(clientId);
  if (!limiter) {
    limiter = new PacedRedditLimiter(rateLimiterFor(clientId), REDDIT_MIN_INTERVAL_MS);
    pacedLimiters.set(clientId, limiter);
  }
  return limiter;
}

function hostLimiterFor(intervalMs: number): HostRateLimiter {
  let limiter = hostLimiters.get(intervalMs);
  if (!limiter) {
    limiter = new HostRateLimiter(intervalMs);
    hostLimiters.set(intervalMs, limiter);
  }
  return limiter;
}

/** A post as the pipeline carries it: what the download and the summary need. */
interface ImagePost {
  id: string;
  title: string;
  permalink: string;
  score: number;
  media: RedditMediaItem[];
}

interface DownloadedImage {
  url: string;
  key: string;
  bytes: number;
  contentType: string;
}

/** A skipped post or image: `reason` is the category counted in the summary, `detail` what happened. */
interface SkippedItem {
  postId: string;
  url: string | null;
  reason: string;
  detail: string;
}

/** The skip category of a download failure reported by plugin-aws's `downloadUrl`. */
function skipReason(detail: string): string {
  if (detail.startsWith('larger than')) return 'too large';
  if (detail.startsWith('timeout')) return 'timeout';
  if (detail.startsWith('network error')) return 'network error';
  return detail; // `http 404`, `http 410`, `invalid url`, `unsupported protocol`
}

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/gif': '.gif', 'image/webp': '.webp' };

const params = z.object({
  subreddit: z.string().regex(/^[A-Za-z0-9_]{2,21}$/, 'a subreddit name: 2–21 letters, digits or _'),
  sort: z.enum(LISTING_SORTS).default('top'),
  /** `t=` of the top and controversial listings. */
  time: z.enum(LISTING_TIME_FILTERS).default('day'),
  count: z.number().int().min(1).max(1000).default(100),
  maxImageBytes: z.number().int().min(1024).max(100 * MiB).default(20 * MiB),
  perHostIntervalMs: z.number().int().min(100).max(60_000).default(1000),
});

const d = dag({
  id: 'subreddit_images',
  description: "Downloads the images of a subreddit's top posts to S3 (triggered with a subreddit and a sort)",
  schedule: null,
  maxActiveRuns: 4,
  tags: ['example', 'reddit', 's3'],
  params,
  defaultTaskOptions: { retries: 2, retryDelay: '15s', exponentialBackoff: true },
});

type Params = z.output<typeof params>;

const loadPosts = d.task('load_posts', { timeout: '10m' }, async (ctx) => {
  const { subreddit, sort, time, count } = ctx.params;
  const connection = await ctx.getConnection(REDDIT_CONN);
  const hook = new RedditHook(REDDIT_CONN, ctx, { limiter: pacedLimiterFor(connection.login ?? connection.id) });
  const counts: RecordCounts = { fetched: 0, skipped: 0 };
  const posts: ImagePost[] = [];
  const seen = new Set<string>();
  const query = { t: sort === 'top' || sort === 'controversial' ? time : undefined };
  const result = await paginateListing(hook, subredditListingPath(subreddit, sort), query, (child) => {
    const post = acceptPost(child, 'skip', counts, (id, reason) => ctx.log.warn('malformed post skipped', { id, reason }));
    if (post && !seen.has(post.id)) {
      seen.add(post.id);
      posts.push({ id: post.id, title: post.title, permalink: post.permalink, score: post.score, media: selectMedia(post) });
    }
    return posts.length < count;
  });
  ctx.log.info('listing read', { subreddit, sort, posts: posts.length, malformed: counts.skipped, pages: result.pages });
  return { posts, malformed: counts.skipped, pages: result.pages };
});

const keepImages = d.task('keep_images', { inputs: { listing: loadPosts } }, (ctx, { listing }) => {
  const withImages = listing.posts.filter((post) => post.media.length > 0);
  ctx.log.info('posts with image links', { posts: listing.posts.length, withImages: withImages.length });
  return withImages;
});

async function downloadPost(ctx: TaskContext<Params>, post: ImagePost): Promise<{ postId: string; downloaded: DownloadedImage[]; skipped: SkippedItem[] }> {
  const bucket = await ctx.render('{{ var.lake_bucket }}');
  const limiter = hostLimiterFor(ctx.params.perHostIntervalMs);
  const downloaded: DownloadedImage[] = [];
  const skipped: SkippedItem[] = [];
  const s3 = new S3Hook('aws_default', ctx);
  try {
    for (const item of post.media) {
      let host: string;
      try {
        host = new URL(item.url).host;
      } catch {
        skipped.push({ postId: post.id, url: item.url, reason: 'invalid url', detail: 'invalid url' });
        continue;
      }
      await limiter.acquire(host, ctx.signal);
      const result = await downloadUrl(item.url, { timeoutMs: 30_000, maxBytes: ctx.params.maxImageBytes, signal: ctx.signal });
      if (!result.ok) {
        skipped.push({ postId: post.id, url: item.url, reason: skipReason(result.reason), detail: result.reason });
        continue;
      }
      const contentType = result.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      if (!contentType.startsWith('image/')) {
        skipped.push({ postId: post.id, url: item.url, reason: 'not an image', detail: `content-type ${contentType || 'missing'}` });
        continue;
      }
      const key = `images/${ctx.runId}/${post.id}/${item.index}${EXTENSIONS[contentType] ?? ''}`;
      await s3.put(bucket, key, result.body, { contentType });
      downloaded.push({ url: item.url, key, bytes: result.body.length, contentType });
    }
  } finally {
    await s3.destroy();
  }
  ctx.log.info('post done', { postId: post.id, downloaded: downloaded.length, skipped: skipped.length });
  return { postId: post.id, downloaded, skipped };
}

const download = d.map('download_images', keepImages, { maxActiveMapped: 4, pool: 'default_pool', timeout: '10m' }, downloadPost);

d.task('summary', { inputs: { listing: loadPosts, downloads: download }, triggerRule: 'none_failed' }, async (ctx, { listing, downloads }) => {
  const bucket = await ctx.render('{{ var.lake_bucket }}');
  const noImage: SkippedItem[] = listing.posts
    .filter((post) => post.media.length === 0)
    .map((post) => ({ postId: post.id, url: null, reason: 'not an image', detail: 'no image link' }));
  const downloaded = downloads.flatMap((result) => result.downloaded);
  const skipped = [...noImage, ...downloads.flatMap((result) => result.skipped)];
  const skippedByReason: Record<string, number> = {};
  for (const item of skipped) skippedByReason[item.reason] = (skippedByReason[item.reason] ?? 0) + 1;
  const summary = {
    subreddit: ctx.params.subreddit,
    sort: ctx.params.sort,
    runId: ctx.runId,
    bucket,
    prefix: `images/${ctx.runId}/`,
    posts: listing.posts.length,
    malformedPosts: listing.malformed,
    downloaded: downloaded.length,
    bytes: downloaded.reduce((sum, image) => sum + image.bytes, 0),
    skipped: skipped.length,
    skippedByReason,
  };
  const s3 = new S3Hook('aws_default', ctx);
  try {
    await s3.put(bucket, `${summary.prefix}summary.json`, JSON.stringify({ ...summary, images: downloaded, skippedItems: skipped }, null, 2), {
      contentType: 'application/json',
    });
  } finally {
    await s3.destroy();
  }
  ctx.log.info('summary', { ...summary, skippedByReason: JSON.stringify(skippedByReason) });
  return { ...summary, skippedItems: skipped };
});

export default d;

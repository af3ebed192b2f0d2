/**
 * The Reddit stand-in's data: deterministic synthetic posts per subreddit and UTC day (the same day always
 * gives the same posts and ids, so a restart serves what the pipelines saw before), from a few days back to a
 * week ahead — posts created later than "now" appear as time passes, like new posts on Reddit. Image, gallery
 * and preview URLs are rewritten to the local image host so image downloads work offline.
 */
import { createHash } from 'node:crypto';
import { generatePosts, type FakePost } from '@sluice/plugin-reddit/testing';

/** Subreddits the stand-in serves unless told otherwise (any other subreddit answers 404, like a banned one). */
export const DEFAULT_SUBREDDITS: readonly string[] = ['dataengineering', 'python', 'aws', 'pics', 'EarthPorn', 'aww'];

/** Options of {@link generateSubredditPosts}. */
export interface RedditDataOptions {
  subreddits: readonly string[];
  /** Posts per subreddit and day. */
  postsPerDay: number;
  /** Mixed into every day's generator seed. */
  seed: number;
  /** "Now" (epoch ms): days from `daysBack` before it to `daysAhead` after it are generated. */
  now: number;
  daysBack: number;
  daysAhead: number;
  /** Base URL of the image host stand-in (`http://127.0.0.1:<port>`). */
  mediaUrl: string;
}

const DAY_MS = 86_400_000;

/** Posts per subreddit (keys as given), oldest first. */
export function generateSubredditPosts(options: RedditDataOptions): Map<string, FakePost[]> {
  const today = Math.floor(options.now / DAY_MS);
  const result = new Map<string, FakePost[]>();
  for (const subreddit of options.subreddits) {
    const base = (hashNumber(subreddit.toLowerCase()) % 9000) + 1000;
    const posts: FakePost[] = [];
    for (let day = today - options.daysBack; day <= today + options.daysAhead; day++) {
      const generated = generatePosts({
        subreddit,
        count: options.postsPerDay,
        start: day * DAY_MS + 60_000,
        // 0.9 of a day on average, so a day's posts (gaps vary ±50%) rarely spill into the next day.
        everySeconds: Math.max(1, Math.floor((0.9 * 86_400) / options.postsPerDay)),
        seed: hashNumber(`${subreddit.toLowerCase()}/${day}/${options.seed}`),
        firstId: base * 100_000_000 + day * 1000,
      });
      posts.push(...generated.map((post) => localizeMedia(post, options.mediaUrl)));
    }
    result.set(subreddit, posts);
  }
  return result;
}

const IMAGE_URL = /^https:\/\/(i\.redd\.it|i\.imgur\.com|preview\.redd\.it)\/([^?#]+?)\.(?:jpe?g|png|gif|webp)/i;

/** `https://i.redd.it/abc.jpg?x` → `<mediaUrl>/i.redd.it/abc.png?x`; other URLs unchanged. */
export function localImageUrl(url: string, mediaUrl: string): string {
  return url.replace(IMAGE_URL, (_match, host: string, name: string) => `${mediaUrl}/${host.toLowerCase()}/${name}.png`);
}

/**
 * The post with its image URLs on the local image host. A direct image post (i.redd.it, i.imgur.com) keeps
 * its `domain` and `post_hint`, and gets a preview with the same local URL when it had none.
 */
function localizeMedia(post: FakePost, mediaUrl: string): FakePost {
  const copy = structuredClone(post);
  const local = (value: unknown): unknown => (typeof value === 'string' ? localImageUrl(value, mediaUrl) : value);
  if (typeof copy.url === 'string' && IMAGE_URL.test(copy.url)) {
    copy.url = local(copy.url);
    const preview = copy.preview as { images?: { source?: { url?: unknown } }[] } | undefined;
    if (!preview?.images?.length) copy.preview = { images: [{ source: { url: copy.url, width: 48, height: 48 } }] };
  }
  const images = (copy.preview as { images?: { source?: { url?: unknown } }[] } | undefined)?.images ?? [];
  for (const image of images) if (image.source) image.source.url = local(image.source.url);
  const metadata = (copy.media_metadata ?? {}) as Record<string, { s?: { u?: unknown } }>;
  for (const entry of Object.values(metadata)) if (entry.s) entry.s.u = local(entry.s.u);
  return copy;
}

function hashNumber(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

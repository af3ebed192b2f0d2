import { defineOperator } from '@sluice/core';
import { z } from 'zod';
import type { RedditMediaKind } from '../media.js';
import type { RedditPost } from '../records.js';

/** Fields of {@link redditMediaUrls}. */
export const mediaUrlsFields = z.object({
  /** Name of the task input holding the posts (a `reddit.subreddit-posts` output or an array of posts). */
  input: z.string().default('posts'),
  /** Media kinds to keep. Default: everything but previews of posts that have a full image. */
  kinds: z.array(z.enum(['image', 'gallery', 'preview', 'video'])).optional(),
});

/** One media file to download. */
export interface RedditMediaItem {
  postId: string;
  url: string;
  kind: RedditMediaKind;
  /** Position within the post (gallery order). */
  index: number;
}

function postsOf(value: unknown): RedditPost[] {
  if (Array.isArray(value)) return value as RedditPost[];
  const posts = (value as { posts?: unknown } | undefined)?.posts;
  if (Array.isArray(posts)) return posts as RedditPost[];
  const staged = (value as { staged?: { url?: unknown } } | undefined)?.staged;
  if (staged) {
    throw new Error(`reddit.media-urls: the posts were staged to ${String(staged.url)}, not returned; read them from S3 or drop 'stage'`);
  }
  throw new Error('reddit.media-urls: the input is neither a list of posts nor a reddit.subreddit-posts output');
}

/** Picks a post's media: the given kinds, or full images when the post has any and its previews otherwise. */
export function selectMedia(post: Pick<RedditPost, 'id' | 'media'>, kinds?: readonly RedditMediaKind[]): RedditMediaItem[] {
  let media = post.media;
  if (kinds) media = media.filter((m) => kinds.includes(m.kind));
  else if (media.some((m) => m.kind !== 'preview')) media = media.filter((m) => m.kind !== 'preview');
  return media.map((m, index) => ({ postId: post.id, url: m.url, kind: m.kind, index }));
}

/**
 * Operator `reddit.media-urls`: the image/media URLs of upstream posts, one item per file, ready for a
 * mapped download task (the S3 upload itself belongs to plugin-aws).
 *
 * ```ts
 * const posts = d.task('posts', redditSubredditPosts({ subreddit: 'pics', sort: 'top', time: 'day', count: 100 }));
 * d.task('media', redditMediaUrls({}), { inputs: { posts } });
 * ```
 */
export const redditMediaUrls = defineOperator({
  name: 'reddit.media-urls',
  fields: mediaUrlsFields,
  async execute(ctx, fields, inputs): Promise<RedditMediaItem[]> {
    const items = postsOf(inputs[fields.input]).flatMap((post) => selectMedia(post, fields.kinds));
    ctx.log.info('reddit: media URLs', { count: items.length });
    return items;
  },
});

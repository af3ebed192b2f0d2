import { defineOperator, type TaskContext } from '@sluice/core';
import { z } from 'zod';
import { RedditHook, REDDIT_DEFAULT_CONNECTION_ID } from '../hooks/reddit.js';
import { LISTING_SORTS, LISTING_TIME_FILTERS, paginateListing, subredditListingPath, type PaginationEnd } from '../listing.js';
import { acceptPost, type RecordCounts, type RedditPost } from '../records.js';

/** Fields of {@link redditSubredditPosts}. */
export const subredditPostsFields = z
  .object({
    /** Reddit connection id. */
    connId: z.string().default(REDDIT_DEFAULT_CONNECTION_ID),
    /** Subreddit name without `r/` (a template). */
    subreddit: z.string().min(1),
    sort: z.enum(LISTING_SORTS).default('new'),
    /** `t=` time filter, only for `top` and `controversial`. */
    time: z.enum(LISTING_TIME_FILTERS).optional(),
    /** Posts wanted (Reddit serves about 1,000 at most). Ignored in incremental mode. */
    count: z.number().int().positive().max(1000).default(100),
    /** Only posts newer than the previous successful run's high-water mark, within the data interval. */
    incremental: z.boolean().default(false),
    /** Malformed items: `skip` (counted in `counts.skipped`) or `fail` the task. */
    malformed: z.enum(['skip', 'fail']).default('skip'),
  })
  .refine((f) => f.time === undefined || f.sort === 'top' || f.sort === 'controversial', {
    message: "'time' applies only to the top and controversial listings",
    path: ['time'],
  })
  .refine((f) => !f.incremental || f.sort === 'new', { message: "incremental mode needs sort 'new'", path: ['incremental'] });

/** Up to where an incremental run has collected posts. */
export interface RedditHighWaterMark {
  /** Every post created before this time (epoch seconds, exclusive) has been collected. */
  coveredUntilUtc: number;
  /** {@link coveredUntilUtc} as ISO 8601. */
  coveredUntilIso: string;
  /** The newest post collected so far, if any. */
  newestPostId: string | null;
  newestCreatedUtc: number | null;
}

/** Counts reported by {@link redditSubredditPosts}. */
export interface SubredditPostsCounts extends RecordCounts {
  /** Posts returned. */
  returned: number;
  /** Pages requested. */
  pages: number;
  /** Why pagination stopped; `ceiling` in incremental mode means older posts may be missing. */
  end: PaginationEnd;
}

/** Output of {@link redditSubredditPosts}. */
export interface SubredditPostsOutput {
  posts: RedditPost[];
  /** Set in incremental mode; the next run continues from it. */
  highWaterMark: RedditHighWaterMark | null;
  counts: SubredditPostsCounts;
}

type Fields = z.output<typeof subredditPostsFields>;

const SUBREDDIT_NAME = /^[A-Za-z0-9_]{2,21}$/;

async function collect(ctx: TaskContext, fields: Fields): Promise<SubredditPostsOutput> {
  if (!SUBREDDIT_NAME.test(fields.subreddit)) {
    throw new Error(`reddit.subreddit-posts: '${fields.subreddit}' is not a subreddit name`);
  }
  const hook = new RedditHook(fields.connId, ctx);
  const counts: RecordCounts = { fetched: 0, skipped: 0 };
  const posts: RedditPost[] = [];
  const seen = new Set<string>();
  const onSkip = (id: string, reason: string): void => ctx.log.warn('reddit: skipped a malformed post', { id, reason });

  let lower = 0;
  let upper = Number.POSITIVE_INFINITY;
  let previous: RedditHighWaterMark | null = null;
  if (fields.incremental) {
    previous = (await ctx.previousOutput<SubredditPostsOutput>())?.highWaterMark ?? null;
    upper = Math.floor(ctx.dataIntervalEnd.getTime() / 1000);
    lower = previous ? previous.coveredUntilUtc : Math.floor(ctx.dataIntervalStart.getTime() / 1000);
    ctx.log.info('reddit: incremental window', { from: new Date(lower * 1000).toISOString(), until: new Date(upper * 1000).toISOString() });
  }

  const visit = (child: unknown): boolean => {
    const post = acceptPost(child, fields.malformed, counts, onSkip);
    if (!post) return true;
    if (fields.incremental) {
      if (post.created_utc >= upper) return true;
      if (post.created_utc < lower) return false;
    }
    if (!seen.has(post.id)) {
      seen.add(post.id);
      posts.push(post);
    }
    return fields.incremental || posts.length < fields.count;
  };
  const query = { t: fields.time };
  const result =
    fields.incremental && lower >= upper
      ? { pages: 0, items: 0, end: 'enough' as const }
      : await paginateListing(hook, subredditListingPath(fields.subreddit, fields.sort), query, visit);
  if (fields.incremental && result.end === 'ceiling') {
    ctx.log.warn('reddit: reached the ~1000-item listing ceiling before the start of the window; older posts are missing');
  }

  let highWaterMark: RedditHighWaterMark | null = null;
  if (fields.incremental) {
    const newest = posts.reduce<RedditPost | undefined>((a, p) => (!a || p.created_utc > a.created_utc ? p : a), undefined);
    highWaterMark = {
      coveredUntilUtc: Math.max(upper, lower),
      coveredUntilIso: new Date(Math.max(upper, lower) * 1000).toISOString(),
      newestPostId: newest?.id ?? previous?.newestPostId ?? null,
      newestCreatedUtc: newest?.created_utc ?? previous?.newestCreatedUtc ?? null,
    };
  }
  ctx.log.info('reddit: listing read', { subreddit: fields.subreddit, sort: fields.sort, returned: posts.length, skipped: counts.skipped, pages: result.pages });
  return { posts, highWaterMark, counts: { ...counts, returned: posts.length, pages: result.pages, end: result.end } };
}

/**
 * Operator `reddit.subreddit-posts`: reads a subreddit listing (`new|hot|top|rising|controversial`,
 * `t=` for top/controversial), 100 per page with `after`, up to `count` posts (Reddit's ~1,000 ceiling).
 *
 * In incremental mode (sort `new`) it returns only posts created in
 * `[previous high-water mark (or dataIntervalStart), dataIntervalEnd)`: consecutive scheduled runs
 * neither miss nor duplicate a post. The high-water mark is this task's previous output, kept by the core.
 *
 * ```ts
 * d.task('posts', redditSubredditPosts({ subreddit: 'typescript', incremental: true }));
 * ```
 */
export const redditSubredditPosts = defineOperator({
  name: 'reddit.subreddit-posts',
  fields: subredditPostsFields,
  templateFields: ['subreddit'],
  execute: (ctx, fields): Promise<SubredditPostsOutput> => collect(ctx, fields),
});

import { defineOperator, type OperatorInstance, type TaskContext } from '@sluice/core';
import { z } from 'zod';
import { RedditHook, REDDIT_DEFAULT_CONNECTION_ID } from '../hooks/reddit.js';
import { LISTING_SORTS, LISTING_TIME_FILTERS, paginateListing, subredditListingPath, type PaginationEnd } from '../listing.js';
import { acceptPost, type RecordCounts, type RedditPost } from '../records.js';
import { stageFieldSchema, stageRecords, type RedditStagedLocation, type RedditStageInput } from '../stage.js';

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
    /**
     * Write the posts as JSON Lines to S3 (through plugin-aws) instead of returning them; the output is then
     * `{ staged, highWaterMark, counts }`. Its strings are templates.
     */
    stage: stageFieldSchema.optional(),
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

/** Output of {@link redditSubredditPosts} without `stage`: the posts themselves. */
export interface SubredditPostsOutput {
  posts: RedditPost[];
  /** Set in incremental mode; the next run continues from it. */
  highWaterMark: RedditHighWaterMark | null;
  counts: SubredditPostsCounts;
}

/** Output of {@link redditSubredditPosts} with `stage`: where the posts were written, not the posts. */
export interface SubredditPostsStagedOutput {
  staged: RedditStagedLocation;
  /** Set in incremental mode; the next run continues from it. */
  highWaterMark: RedditHighWaterMark | null;
  counts: SubredditPostsCounts;
}

/** Either output of {@link redditSubredditPosts}; tell them apart with `'staged' in output` (or {@link isStagedPostsOutput}). */
export type SubredditPostsResult = SubredditPostsOutput | SubredditPostsStagedOutput;

/** True when a `reddit.subreddit-posts` output was staged to S3. */
export function isStagedPostsOutput(output: SubredditPostsResult): output is SubredditPostsStagedOutput {
  return 'staged' in output;
}

/** Fields of {@link redditSubredditPosts} as written in a DAG file. */
export type SubredditPostsFieldsInput = z.input<typeof subredditPostsFields>;

type Fields = z.output<typeof subredditPostsFields>;

const SUBREDDIT_NAME = /^[A-Za-z0-9_]{2,21}$/;

async function collect(ctx: TaskContext, fields: Fields): Promise<SubredditPostsResult> {
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
    // Either output shape carries the mark, so switching `stage` on or off keeps the incremental position.
    previous = (await ctx.previousOutput<Partial<SubredditPostsResult>>())?.highWaterMark ?? null;
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
  const allCounts: SubredditPostsCounts = { ...counts, returned: posts.length, pages: result.pages, end: result.end };
  if (fields.stage) {
    const staged = await stageRecords(ctx, fields.stage, posts);
    return { staged, highWaterMark, counts: allCounts };
  }
  return { posts, highWaterMark, counts: allCounts };
}

const subredditPostsOperator = defineOperator({
  name: 'reddit.subreddit-posts',
  fields: subredditPostsFields,
  templateFields: ['subreddit', 'stage'],
  execute: (ctx, fields): Promise<SubredditPostsResult> => collect(ctx, fields),
});

/**
 * Operator `reddit.subreddit-posts`: reads a subreddit listing (`new|hot|top|rising|controversial`,
 * `t=` for top/controversial), 100 per page with `after`, up to `count` posts (Reddit's ~1,000 ceiling).
 *
 * In incremental mode (sort `new`) it returns only posts created in
 * `[previous high-water mark (or dataIntervalStart), dataIntervalEnd)`: consecutive scheduled runs
 * neither miss nor duplicate a post. The high-water mark is this task's previous output, kept by the core.
 *
 * With `stage`, the posts are written as JSON Lines to S3 (plugin-aws `S3Hook`) under a templated key and
 * the output is {@link SubredditPostsStagedOutput}; without it, {@link SubredditPostsOutput}.
 *
 * ```ts
 * d.task('posts', redditSubredditPosts({ subreddit: 'typescript', incremental: true }));
 * d.task('staged', redditSubredditPosts({ subreddit: 'typescript', incremental: true,
 *   stage: { bucket: 'lake', key: 'raw/reddit/typescript/dt={{ ds }}/posts-{{ ts_nodash }}.jsonl.gz' } }));
 * ```
 */
export function redditSubredditPosts(fields: SubredditPostsFieldsInput & { stage: RedditStageInput }): OperatorInstance<SubredditPostsStagedOutput>;
export function redditSubredditPosts(fields: SubredditPostsFieldsInput & { stage?: undefined }): OperatorInstance<SubredditPostsOutput>;
export function redditSubredditPosts(fields: SubredditPostsFieldsInput): OperatorInstance<SubredditPostsResult>;
export function redditSubredditPosts(fields: SubredditPostsFieldsInput): OperatorInstance<SubredditPostsResult> {
  return subredditPostsOperator(fields);
}

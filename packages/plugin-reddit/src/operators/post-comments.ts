import { defineOperator } from '@sluice/core';
import { z } from 'zod';
import { fetchComments, type CommentsResult } from '../comments.js';
import { RedditHook, REDDIT_DEFAULT_CONNECTION_ID } from '../hooks/reddit.js';

/** Fields of {@link redditPostComments}. */
export const postCommentsFields = z.object({
  connId: z.string().default(REDDIT_DEFAULT_CONNECTION_ID),
  /** Post id without `t3_` (a template). */
  postId: z.string().min(1),
  sort: z.enum(['confidence', 'top', 'new', 'controversial', 'old', 'qa']).optional(),
  /** At most this many `/api/morechildren` calls to expand `more` stubs. */
  maxMoreRequests: z.number().int().min(0).max(1000).default(10),
  malformed: z.enum(['skip', 'fail']).default('skip'),
});

/**
 * Operator `reddit.post-comments`: the comments of one post, `more` stubs expanded up to
 * `maxMoreRequests` calls, flattened with parent ids and depth. Output: {@link CommentsResult}.
 *
 * ```ts
 * d.task('comments', redditPostComments({ postId: '{{ params.post }}', maxMoreRequests: 5 }));
 * ```
 */
export const redditPostComments = defineOperator({
  name: 'reddit.post-comments',
  fields: postCommentsFields,
  templateFields: ['postId'],
  async execute(ctx, fields): Promise<CommentsResult> {
    const postId = fields.postId.replace(/^t3_/, '');
    if (!/^[a-z0-9]+$/i.test(postId)) throw new Error(`reddit.post-comments: '${fields.postId}' is not a post id`);
    const result = await fetchComments(new RedditHook(fields.connId, ctx), {
      postId,
      sort: fields.sort,
      maxMoreRequests: fields.maxMoreRequests,
      malformed: fields.malformed,
      onSkip: (id, reason) => ctx.log.warn('reddit: skipped a malformed comment', { id, reason }),
    });
    ctx.log.info('reddit: comments read', { postId, comments: result.comments.length, ...result.counts });
    return result;
  },
});

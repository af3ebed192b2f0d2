import { defineOperator, type OperatorInstance } from '@sluice/core';
import { z } from 'zod';
import { fetchComments, type CommentsResult } from '../comments.js';
import { RedditHook, REDDIT_DEFAULT_CONNECTION_ID } from '../hooks/reddit.js';
import { stageFieldSchema, stageRecords, type RedditStagedLocation, type RedditStageInput } from '../stage.js';

/** Fields of {@link redditPostComments}. */
export const postCommentsFields = z.object({
  connId: z.string().default(REDDIT_DEFAULT_CONNECTION_ID),
  /** Post id without `t3_` (a template). */
  postId: z.string().min(1),
  sort: z.enum(['confidence', 'top', 'new', 'controversial', 'old', 'qa']).optional(),
  /** At most this many `/api/morechildren` calls to expand `more` stubs. */
  maxMoreRequests: z.number().int().min(0).max(1000).default(10),
  malformed: z.enum(['skip', 'fail']).default('skip'),
  /**
   * Write the comments as JSON Lines to S3 (through plugin-aws) instead of returning them; the output is
   * then `{ staged, post, counts }`. Its strings are templates.
   */
  stage: stageFieldSchema.optional(),
});

/** Fields of {@link redditPostComments} as written in a DAG file. */
export type PostCommentsFieldsInput = z.input<typeof postCommentsFields>;

/** Output of {@link redditPostComments} with `stage`: the post and where its comments were written. */
export interface PostCommentsStagedOutput {
  staged: RedditStagedLocation;
  post: CommentsResult['post'];
  counts: CommentsResult['counts'];
}

/** Either output of {@link redditPostComments}; tell them apart with `'staged' in output`. */
export type PostCommentsResult = CommentsResult | PostCommentsStagedOutput;

const postCommentsOperator = defineOperator({
  name: 'reddit.post-comments',
  fields: postCommentsFields,
  templateFields: ['postId', 'stage'],
  async execute(ctx, fields): Promise<PostCommentsResult> {
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
    if (fields.stage) {
      const staged = await stageRecords(ctx, fields.stage, result.comments);
      return { staged, post: result.post, counts: result.counts };
    }
    return result;
  },
});

/**
 * Operator `reddit.post-comments`: the comments of one post, `more` stubs expanded up to
 * `maxMoreRequests` calls, flattened with parent ids and depth. Output: {@link CommentsResult}, or with
 * `stage` {@link PostCommentsStagedOutput} (the comments written as JSON Lines to S3 through plugin-aws).
 *
 * ```ts
 * d.task('comments', redditPostComments({ postId: '{{ params.post }}', maxMoreRequests: 5 }));
 * ```
 */
export function redditPostComments(fields: PostCommentsFieldsInput & { stage: RedditStageInput }): OperatorInstance<PostCommentsStagedOutput>;
export function redditPostComments(fields: PostCommentsFieldsInput & { stage?: undefined }): OperatorInstance<CommentsResult>;
export function redditPostComments(fields: PostCommentsFieldsInput): OperatorInstance<PostCommentsResult>;
export function redditPostComments(fields: PostCommentsFieldsInput): OperatorInstance<PostCommentsResult> {
  return postCommentsOperator(fields);
}

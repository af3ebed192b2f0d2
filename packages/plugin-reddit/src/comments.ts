import { z } from 'zod';
import { RedditApiError, RedditRecordError } from './errors.js';
import type { RedditHook } from './hooks/reddit.js';
import { parseListing } from './listing.js';
import { acceptPost, type MalformedPolicy, type RecordCounts, type RedditPost } from './records.js';

/** zod schema of the fields of a raw comment (`data` of a `t1` thing) the plugin reads. */
export const rawCommentSchema = z.object({
  id: z.string().min(1),
  name: z.string().regex(/^t1_/, 'expected a t1_ fullname'),
  parent_id: z.string().regex(/^t[13]_/, 'expected a t1_ or t3_ fullname'),
  link_id: z.string().regex(/^t3_/, 'expected a t3_ fullname'),
  author: z.string(),
  author_fullname: z.string().nullish(),
  body: z.string(),
  score: z.number().int(),
  created_utc: z.number().finite().nonnegative(),
  depth: z.number().int().nonnegative().optional(),
  permalink: z.string().optional(),
});

/** A flattened comment. */
export interface RedditComment {
  id: string;
  /** `t1_<id>`. */
  fullname: string;
  /** Fullname of the post (`t3_…`). */
  post_fullname: string;
  /** Fullname of the parent: the post (`t3_…`) for a top-level comment, else a comment (`t1_…`). */
  parent_fullname: string;
  /** Id of the parent comment; `null` for a top-level comment. */
  parent_comment_id: string | null;
  /** 0 for a top-level comment. */
  depth: number;
  author: string;
  author_fullname: string | null;
  body: string;
  score: number;
  created_utc: number;
  created_iso: string;
}

/** Options of {@link fetchComments}. */
export interface FetchCommentsOptions {
  /** Post id (without `t3_`). */
  postId: string;
  sort?: 'confidence' | 'top' | 'new' | 'controversial' | 'old' | 'qa' | undefined;
  /** At most this many `/api/morechildren` calls to expand `more` stubs. Default 10. */
  maxMoreRequests?: number;
  malformed?: MalformedPolicy;
  onSkip?: (id: string, reason: string) => void;
}

/** Result of {@link fetchComments}. */
export interface CommentsResult {
  post: RedditPost | null;
  comments: RedditComment[];
  counts: RecordCounts & { moreRequests: number; unexpandedComments: number };
}

/** `/api/morechildren` takes at most this many ids per call. */
export const MORE_CHILDREN_BATCH = 100;

/**
 * Reads the comments of a post (`/comments/{id}`: a post listing and a comment listing), expands `more`
 * stubs through `/api/morechildren` (at most `maxMoreRequests` calls), and flattens the tree in reading
 * order with parent ids and depth.
 */
export async function fetchComments(hook: RedditHook, options: FetchCommentsOptions): Promise<CommentsResult> {
  const policy = options.malformed ?? 'skip';
  const counts = { fetched: 0, skipped: 0, moreRequests: 0, unexpandedComments: 0 };
  const comments: RedditComment[] = [];
  const depthOf = new Map<string, number>();
  const pending: string[] = [];
  const path = `/comments/${encodeURIComponent(options.postId)}`;

  const visit = (thing: unknown): void => {
    const t = thing as { kind?: unknown; data?: Record<string, unknown> } | null;
    if (t?.kind === 'more') {
      const children = Array.isArray(t.data?.children) ? (t.data.children as unknown[]) : [];
      for (const id of children) if (typeof id === 'string' && !depthOf.has(id)) pending.push(id);
      return;
    }
    counts.fetched += 1;
    const parsed = t?.kind === 't1' ? rawCommentSchema.safeParse(t.data) : undefined;
    if (!parsed?.success) {
      const id = typeof t?.data?.id === 'string' ? t.data.id : '<unknown id>';
      const issue = parsed?.error.issues[0];
      const reason = parsed ? `field '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}` : 'not a t1 thing';
      if (policy === 'fail') throw new RedditRecordError(`malformed Reddit comment ${id}: ${reason}`, id);
      counts.skipped += 1;
      options.onSkip?.(id, reason);
      return;
    }
    const c = parsed.data;
    if (depthOf.has(c.id)) return;
    const parentCommentId = c.parent_id.startsWith('t1_') ? c.parent_id.slice(3) : null;
    const parentDepth = parentCommentId === null ? -1 : depthOf.get(parentCommentId);
    const depth = parentDepth !== undefined ? parentDepth + 1 : (c.depth ?? 0);
    depthOf.set(c.id, depth);
    comments.push({
      id: c.id,
      fullname: c.name,
      post_fullname: c.link_id,
      parent_fullname: c.parent_id,
      parent_comment_id: parentCommentId,
      depth,
      author: c.author,
      author_fullname: c.author_fullname ?? null,
      body: c.body,
      score: c.score,
      created_utc: c.created_utc,
      created_iso: new Date(c.created_utc * 1000).toISOString(),
    });
    const replies = (t?.data as { replies?: unknown } | undefined)?.replies;
    if (replies && typeof replies === 'object') {
      for (const child of parseListing(replies, path).children) visit(child);
    }
  };

  const body = await hook.getJson(path, { sort: options.sort, limit: 500 });
  if (!Array.isArray(body) || body.length < 2) throw new RedditApiError(`${path}: expected a post listing and a comment listing`);
  const postCounts: RecordCounts = { fetched: 0, skipped: 0 };
  const postChild = parseListing(body[0], path).children[0];
  const post = postChild === undefined ? null : (acceptPost(postChild, policy, postCounts, options.onSkip) ?? null);
  for (const child of parseListing(body[1], path).children) visit(child);

  const linkId = post?.fullname ?? `t3_${options.postId}`;
  const maxMore = options.maxMoreRequests ?? 10;
  while (pending.length > 0 && counts.moreRequests < maxMore) {
    const batch = pending.splice(0, MORE_CHILDREN_BATCH);
    counts.moreRequests += 1;
    const more = await hook.getJson<{ json?: { errors?: unknown[]; data?: { things?: unknown[] } } }>('/api/morechildren', {
      api_type: 'json',
      link_id: linkId,
      children: batch.join(','),
      sort: options.sort,
      limit_children: false,
    });
    const things = more?.json?.data?.things;
    if (!Array.isArray(things)) throw new RedditApiError('/api/morechildren: unexpected response shape');
    for (const thing of things) visit(thing);
  }
  counts.unexpandedComments = pending.length;
  return { post, comments, counts };
}

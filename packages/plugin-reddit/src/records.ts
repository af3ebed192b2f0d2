import { z } from 'zod';
import { RedditRecordError } from './errors.js';
import { extractMediaUrls, type RedditMediaUrl } from './media.js';

/** What to do with a listing item that does not have the expected shape. */
export type MalformedPolicy = 'skip' | 'fail';

/** zod schema of the fields of a raw Reddit post (`data` of a `t3` thing) that the plugin reads. */
export const rawPostSchema = z.object({
  id: z.string().min(1),
  name: z.string().regex(/^t3_/, 'expected a t3_ fullname'),
  subreddit: z.string().min(1),
  title: z.string(),
  author: z.string(),
  author_fullname: z.string().nullish(),
  created_utc: z.number().finite().nonnegative(),
  over_18: z.boolean(),
  is_self: z.boolean(),
  selftext: z.string().nullish(),
  url: z.string(),
  domain: z.string(),
  permalink: z.string(),
  score: z.number().int(),
  upvote_ratio: z.number().nullish(),
  num_comments: z.number().int().nonnegative(),
  total_awards_received: z.number().int().nullish(),
});

/** A normalised Reddit post, as the listing operator returns it. */
export interface RedditPost {
  id: string;
  /** `t3_<id>`. */
  fullname: string;
  subreddit: string;
  title: string;
  author: string;
  /** `t2_…` of the author; `null` for deleted accounts. */
  author_fullname: string | null;
  /** Creation time, epoch seconds (UTC). */
  created_utc: number;
  /** Creation time, ISO 8601 (UTC). */
  created_iso: string;
  over_18: boolean;
  is_self: boolean;
  selftext: string;
  url: string;
  domain: string;
  /** Absolute permalink (`https://www.reddit.com/r/…`). */
  permalink: string;
  score: number;
  upvote_ratio: number | null;
  num_comments: number;
  /** Reddit removed awards; `null` when the field is absent. */
  total_awards_received: number | null;
  /** Image and media URLs for a download step (see `extractMediaUrls`). */
  media: RedditMediaUrl[];
}

/** Result of {@link normalizePost}: the record, or why the item was rejected. */
export type NormalizeResult = { ok: true; post: RedditPost } | { ok: false; itemId: string; reason: string };

/** Validates and normalises one listing child (`{ kind: 't3', data }`). Never throws. */
export function normalizePost(child: unknown): NormalizeResult {
  const thing = child as { kind?: unknown; data?: unknown } | null;
  const data = thing?.data as Record<string, unknown> | undefined;
  const itemId = typeof data?.id === 'string' ? data.id : '<unknown id>';
  if (thing?.kind !== 't3') return { ok: false, itemId, reason: `kind is ${JSON.stringify(thing?.kind ?? null)}, expected "t3"` };
  const parsed = rawPostSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, itemId, reason: `field '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}` };
  }
  const p = parsed.data;
  return {
    ok: true,
    post: {
      id: p.id,
      fullname: p.name,
      subreddit: p.subreddit,
      title: p.title,
      author: p.author,
      author_fullname: p.author_fullname ?? null,
      created_utc: p.created_utc,
      created_iso: new Date(p.created_utc * 1000).toISOString(),
      over_18: p.over_18,
      is_self: p.is_self,
      selftext: p.selftext ?? '',
      url: p.url,
      domain: p.domain,
      permalink: p.permalink.startsWith('http') ? p.permalink : `https://www.reddit.com${p.permalink}`,
      score: p.score,
      upvote_ratio: p.upvote_ratio ?? null,
      num_comments: p.num_comments,
      total_awards_received: p.total_awards_received ?? null,
      media: extractMediaUrls(data),
    },
  };
}

/** Counts of a normalisation pass. */
export interface RecordCounts {
  /** Items read from Reddit. */
  fetched: number;
  /** Items rejected as malformed (policy `skip`). */
  skipped: number;
}

/**
 * Normalises one item under `policy`: returns the post, `undefined` for a skipped item (counted in
 * `counts.skipped`), or throws {@link RedditRecordError} with policy `fail`.
 */
export function acceptPost(child: unknown, policy: MalformedPolicy, counts: RecordCounts, onSkip?: (id: string, reason: string) => void): RedditPost | undefined {
  counts.fetched += 1;
  const result = normalizePost(child);
  if (result.ok) return result.post;
  if (policy === 'fail') throw new RedditRecordError(`malformed Reddit post ${result.itemId}: ${result.reason}`, result.itemId);
  counts.skipped += 1;
  onSkip?.(result.itemId, result.reason);
  return undefined;
}

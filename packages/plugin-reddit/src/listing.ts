import { RedditApiError } from './errors.js';
import type { QueryParams, RedditHook } from './hooks/reddit.js';

/** Listing orders of a subreddit. */
export const LISTING_SORTS = ['new', 'hot', 'top', 'rising', 'controversial'] as const;
/** A listing order. */
export type ListingSort = (typeof LISTING_SORTS)[number];
/** Time filters (`t=`) of the `top` and `controversial` listings. */
export const LISTING_TIME_FILTERS = ['hour', 'day', 'week', 'month', 'year', 'all'] as const;
/** A time filter. */
export type ListingTimeFilter = (typeof LISTING_TIME_FILTERS)[number];
/** Reddit serves at most about this many items of one listing, however far you paginate. */
export const LISTING_CEILING = 1000;
/** Items per page (Reddit's maximum). */
export const PAGE_LIMIT = 100;

/** One page of a listing. */
export interface ListingPage {
  children: unknown[];
  after: string | null;
}

/** Reads a `{ kind: 'Listing', data: { children, after } }` body; a different shape is a {@link RedditApiError}. */
export function parseListing(body: unknown, what: string): ListingPage {
  const listing = body as { kind?: unknown; data?: { children?: unknown; after?: unknown } } | null;
  if (listing?.kind !== 'Listing' || !Array.isArray(listing.data?.children)) {
    throw new RedditApiError(`${what}: the response is not a Reddit listing`);
  }
  const after = listing.data.after;
  return { children: listing.data.children as unknown[], after: typeof after === 'string' && after !== '' ? after : null };
}

/** Why pagination stopped. */
export type PaginationEnd = 'enough' | 'exhausted' | 'ceiling';

/** Result of {@link paginateListing}. */
export interface PaginationResult {
  pages: number;
  items: number;
  end: PaginationEnd;
}

/**
 * Walks a listing page by page with `after`, `count` and `limit=100`, handing each item to `visit`
 * until `visit` returns `false` (→ `enough`), the listing ends (`exhausted`) or {@link LISTING_CEILING}
 * items were read (`ceiling`).
 */
export async function paginateListing(
  hook: RedditHook,
  path: string,
  query: QueryParams,
  visit: (child: unknown) => boolean,
): Promise<PaginationResult> {
  let after: string | null = null;
  let pages = 0;
  let items = 0;
  for (;;) {
    if (items >= LISTING_CEILING) return { pages, items, end: 'ceiling' };
    const body = await hook.getJson(path, { ...query, limit: PAGE_LIMIT, count: items || undefined, after: after ?? undefined });
    const page = parseListing(body, path);
    pages += 1;
    for (const child of page.children) {
      items += 1;
      if (!visit(child)) return { pages, items, end: 'enough' };
      if (items >= LISTING_CEILING) return { pages, items, end: 'ceiling' };
    }
    if (!page.after || page.children.length === 0) return { pages, items, end: 'exhausted' };
    after = page.after;
  }
}

/** The API path of a subreddit listing, e.g. `/r/typescript/new`. */
export function subredditListingPath(subreddit: string, sort: ListingSort): string {
  return `/r/${encodeURIComponent(subreddit)}/${sort}`;
}

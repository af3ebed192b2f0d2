import type { FakeComment, FakePost } from './data.js';

/** A Reddit listing body. */
export interface ListingBody {
  kind: 'Listing';
  data: { after: string | null; before: string | null; dist: number; children: { kind: string; data: unknown }[] };
}

/** Wraps things in a listing. */
export function listing(children: { kind: string; data: unknown }[], after: string | null = null, before: string | null = null): ListingBody {
  return { kind: 'Listing', data: { after, before, dist: children.length, children } };
}

function createdOf(post: FakePost): number {
  return typeof post.created_utc === 'number' ? post.created_utc : Number(post.created_utc) || 0;
}

function scoreOf(post: FakePost): number {
  return typeof post.score === 'number' ? post.score : 0;
}

const TIME_WINDOWS: Record<string, number> = { hour: 3600, day: 86_400, week: 604_800, month: 2_592_000, year: 31_536_000 };

/** The posts of a listing in order: visible at `nowSeconds`, sorted and filtered like Reddit, capped. */
export function orderPosts(posts: readonly FakePost[], sort: string, t: string | null, nowSeconds: number, ceiling: number): FakePost[] {
  let visible = posts.filter((p) => createdOf(p) <= nowSeconds);
  if ((sort === 'top' || sort === 'controversial') && t && TIME_WINDOWS[t]) {
    const from = nowSeconds - (TIME_WINDOWS[t] ?? 0);
    visible = visible.filter((p) => createdOf(p) >= from);
  }
  const byNew = (a: FakePost, b: FakePost): number => createdOf(b) - createdOf(a) || (a.id < b.id ? 1 : -1);
  const hot = (p: FakePost): number => Math.log10(Math.max(1, scoreOf(p))) - (nowSeconds - createdOf(p)) / 45_000;
  const sorters: Record<string, (a: FakePost, b: FakePost) => number> = {
    new: byNew,
    hot: (a, b) => hot(b) - hot(a) || byNew(a, b),
    rising: (a, b) => scoreOf(b) / (nowSeconds - createdOf(b) + 3600) - scoreOf(a) / (nowSeconds - createdOf(a) + 3600) || byNew(a, b),
    top: (a, b) => scoreOf(b) - scoreOf(a) || byNew(a, b),
    controversial: (a, b) => scoreOf(a) - scoreOf(b) || byNew(a, b),
  };
  return [...visible].sort(sorters[sort] ?? byNew).slice(0, ceiling);
}

/** One page of `ordered` for Reddit's `after` / `before` / `limit` parameters. */
export function pageOf(ordered: readonly FakePost[], params: URLSearchParams): ListingBody {
  const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 25) || 25));
  const after = params.get('after');
  const before = params.get('before');
  let start = 0;
  let end: number;
  if (after) {
    start = ordered.findIndex((p) => p.name === after) + 1;
    if (start === 0) return listing([]);
    end = Math.min(ordered.length, start + limit);
  } else if (before) {
    end = ordered.findIndex((p) => p.name === before);
    if (end < 0) return listing([]);
    start = Math.max(0, end - limit);
  } else {
    end = Math.min(ordered.length, limit);
  }
  const page = ordered.slice(start, end);
  const last = page[page.length - 1];
  const first = page[0];
  return listing(
    page.map((data) => ({ kind: 't3', data })),
    end < ordered.length && last ? last.name : null,
    start > 0 && first ? first.name : null,
  );
}

/** How the comment tree of a post is served: the first `inline` comments in full, the rest as `more` stubs. */
export class CommentTree {
  private readonly children = new Map<string, FakeComment[]>();
  private readonly inline: Set<string>;

  constructor(
    readonly post: FakePost,
    readonly comments: readonly FakeComment[],
    inline: number,
  ) {
    for (const c of comments) {
      const list = this.children.get(c.parent_id) ?? [];
      list.push(c);
      this.children.set(c.parent_id, list);
    }
    this.inline = new Set(comments.slice(0, inline).map((c) => c.id));
  }

  /** The comment listing of `/comments/{id}`. */
  render(): ListingBody {
    return listing(this.renderChildren(this.post.name, 0));
  }

  /** `/api/morechildren`: the requested comments and all their descendants, flat, in tree order. */
  expand(ids: readonly string[]): { kind: string; data: unknown }[] {
    const out: { kind: string; data: unknown }[] = [];
    const seen = new Set<string>();
    const walk = (c: FakeComment, depth: number): void => {
      if (seen.has(c.id)) return;
      seen.add(c.id);
      out.push({ kind: 't1', data: { ...c, depth, replies: '' } });
      for (const child of this.children.get(c.name) ?? []) walk(child, depth + 1);
    };
    for (const id of ids) {
      const c = this.comments.find((x) => x.id === id);
      if (c) walk(c, this.depthOf(c));
    }
    return out;
  }

  private depthOf(c: FakeComment): number {
    let depth = 0;
    let parent = c.parent_id;
    while (parent.startsWith('t1_')) {
      depth += 1;
      parent = this.comments.find((x) => x.name === parent)?.parent_id ?? '';
    }
    return depth;
  }

  private renderChildren(parentName: string, depth: number): { kind: string; data: unknown }[] {
    const kids = this.children.get(parentName) ?? [];
    const shown = kids.filter((c) => this.inline.has(c.id));
    const hidden = kids.filter((c) => !this.inline.has(c.id));
    const things: { kind: string; data: unknown }[] = shown.map((c) => {
      const replies = this.renderChildren(c.name, depth + 1);
      return { kind: 't1', data: { ...c, depth, replies: replies.length ? listing(replies) : '' } };
    });
    if (hidden.length > 0) {
      const first = hidden[0] as FakeComment;
      things.push({
        kind: 'more',
        data: { count: hidden.length, name: `t1_${first.id}`, id: first.id, parent_id: parentName, depth, children: hidden.map((c) => c.id) },
      });
    }
    return things;
  }
}

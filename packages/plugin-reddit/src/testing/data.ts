import { SeededRandom, syntheticAuthor, syntheticBody, syntheticTitle } from './random.js';

/** A raw post as the fake server stores and serves it (`data` of a `t3` thing). */
export type FakePost = Record<string, unknown> & { id: string; name: string; created_utc: unknown };

/** A raw comment as the fake server stores it (`data` of a `t1` thing, without `replies`). */
export type FakeComment = Record<string, unknown> & { id: string; name: string; parent_id: string; link_id: string };

/** Options of {@link generatePosts}. */
export interface GeneratePostsOptions {
  subreddit: string;
  /** Posts to generate. */
  count: number;
  /** Creation time of the first post (epoch ms or a date). */
  start: Date | number | string;
  /** Average seconds between two posts. Default 60. */
  everySeconds?: number;
  /** Seed of the generator. Default 1. */
  seed?: number;
  /** Make every n-th post malformed (its `title` is missing and `created_utc` a string). Default: none. */
  malformedEvery?: number;
  /** First numeric id (ids are base 36). Default 1,000,000. */
  firstId?: number;
}

function imagePost(index: number, id: string): Record<string, unknown> {
  if (index % 5 === 1) {
    const url = `https://i.redd.it/${id}img.jpg`;
    return { url, domain: 'i.redd.it', post_hint: 'image', preview: { images: [{ source: { url: `https://preview.redd.it/${id}img.jpg?width=640&amp;s=abc` } }] } };
  }
  if (index % 5 === 2) return { url: `https://i.imgur.com/${id}.png`, domain: 'i.imgur.com' };
  if (index % 5 === 3) {
    const ids = [`${id}a`, `${id}b`, `${id}c`];
    return {
      url: `https://www.reddit.com/gallery/${id}`,
      domain: 'reddit.com',
      is_gallery: true,
      gallery_data: { items: ids.map((media_id, n) => ({ media_id, id: n })) },
      media_metadata: Object.fromEntries(ids.map((m) => [m, { status: 'valid', e: 'Image', m: 'image/jpg', s: { u: `https://preview.redd.it/${m}.jpg?width=1024&amp;s=x`, x: 1024, y: 768 } }])),
    };
  }
  return {};
}

/**
 * Deterministic synthetic posts of one subreddit, oldest first, `everySeconds` apart on average. Every
 * fifth post links an i.redd.it image (with a preview), others i.imgur.com images or galleries; the
 * rest are self posts.
 */
export function generatePosts(options: GeneratePostsOptions): FakePost[] {
  const random = new SeededRandom(options.seed ?? 1);
  const every = options.everySeconds ?? 60;
  let at = Math.floor(new Date(options.start).getTime() / 1000);
  const posts: FakePost[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = ((options.firstId ?? 1_000_000) + i).toString(36);
    const self = i % 5 === 0 || i % 5 === 4;
    const author = syntheticAuthor(random);
    const post: FakePost = {
      id,
      name: `t3_${id}`,
      subreddit: options.subreddit,
      subreddit_name_prefixed: `r/${options.subreddit}`,
      title: syntheticTitle(random),
      author,
      author_fullname: `t2_${author.length.toString(36)}${random.int(1000, 9999)}`,
      created_utc: at,
      over_18: random.next() < 0.05,
      is_self: self,
      selftext: self ? `Self text of post ${id}.` : '',
      url: `https://www.reddit.com/r/${options.subreddit}/comments/${id}/post_${id}/`,
      domain: `self.${options.subreddit}`,
      permalink: `/r/${options.subreddit}/comments/${id}/post_${id}/`,
      score: random.int(0, 5000),
      upvote_ratio: Math.round(random.next() * 100) / 100,
      num_comments: random.int(0, 40),
      total_awards_received: 0,
      ...(self ? {} : imagePost(i, id)),
    };
    if (options.malformedEvery && (i + 1) % options.malformedEvery === 0) {
      delete post.title;
      post.created_utc = String(at);
    }
    posts.push(post);
    at += Math.max(1, Math.round(every * (0.5 + random.next())));
  }
  return posts;
}

/** Options of {@link generateComments}. */
export interface GenerateCommentsOptions {
  /** Comments to generate. */
  count: number;
  seed?: number;
  /** Probability that a comment answers the post rather than another comment. Default 0.4. */
  topLevelShare?: number;
}

/** Deterministic synthetic comments of `post`; each comment's parent comes earlier in the array. */
export function generateComments(post: FakePost, options: GenerateCommentsOptions): FakeComment[] {
  const random = new SeededRandom(options.seed ?? 7);
  const comments: FakeComment[] = [];
  const created = typeof post.created_utc === 'number' ? post.created_utc : 0;
  for (let i = 0; i < options.count; i++) {
    const id = `${post.id}c${i.toString(36)}`;
    const parent = i === 0 || random.next() < (options.topLevelShare ?? 0.4) ? undefined : comments[random.int(0, i - 1)];
    const author = syntheticAuthor(random);
    comments.push({
      id,
      name: `t1_${id}`,
      parent_id: parent ? parent.name : post.name,
      link_id: post.name,
      author,
      author_fullname: `t2_${author.length.toString(36)}${random.int(1000, 9999)}`,
      body: syntheticBody(random),
      score: random.int(-5, 500),
      created_utc: created + 60 * (i + 1),
      permalink: `${String(post.permalink)}${id}/`,
    });
  }
  return comments;
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedditRecordError } from '../src/errors.js';
import { clearRedditTokenCache } from '../src/hooks/reddit.js';
import { redditPostComments } from '../src/operators/post-comments.js';
import { resetRateLimiters } from '../src/rate-limiter.js';
import { FakeRedditServer, generateComments, generatePosts, type FakePost } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';

describe('reddit.post-comments', () => {
  let server: FakeRedditServer;
  let post: FakePost;

  beforeEach(async () => {
    server = await FakeRedditServer.start({ rateLimit: { budget: 10_000_000, windowSeconds: 600 }, inlineComments: 5 });
    [post] = generatePosts({ subreddit: 'typescript', count: 1, start: '2026-01-01T00:00:00Z' }) as [FakePost];
    server.addPosts('typescript', [post]);
    server.setComments(post.id, generateComments(post, { count: 40, seed: 3 }));
  });

  afterEach(async () => {
    await server.close();
    clearRedditTokenCache();
    resetRateLimiters();
  });

  it('flattens the tree with parent ids and depth, expanding every more stub', async () => {
    const all = generateComments(post, { count: 40, seed: 3 });
    const out = await redditPostComments({ postId: post.id }).run(fakeTaskContext(server.connection()), {});
    expect(out.post?.id).toBe(post.id);
    expect(out.comments.map((c) => c.id).sort()).toEqual(all.map((c) => c.id).sort());
    expect(out.counts.moreRequests).toBeGreaterThan(0);
    expect(out.counts.unexpandedComments).toBe(0);
    const byId = new Map(out.comments.map((c) => [c.id, c]));
    for (const c of out.comments) {
      const source = all.find((x) => x.id === c.id);
      expect(c.parent_fullname).toBe(source?.parent_id);
      if (c.parent_comment_id === null) {
        expect(c.depth).toBe(0);
        expect(c.parent_fullname).toBe(post.name);
      } else {
        expect(c.depth).toBe((byId.get(c.parent_comment_id)?.depth ?? -99) + 1);
      }
      expect(c.post_fullname).toBe(post.name);
    }
    const more = server.apiRequests().filter((r) => r.path === '/api/morechildren');
    expect(more[0]?.query.link_id).toBe(post.name);
  });

  it('stops expanding at maxMoreRequests and reports what is left', async () => {
    const out = await redditPostComments({ postId: post.id, maxMoreRequests: 0 }).run(fakeTaskContext(server.connection()), {});
    expect(out.comments).toHaveLength(5);
    expect(out.counts.moreRequests).toBe(0);
    expect(out.counts.unexpandedComments).toBeGreaterThan(0);
    expect(server.apiRequests().filter((r) => r.path === '/api/morechildren')).toHaveLength(0);
  });

  it('skips and counts a malformed comment, or fails under the fail policy', async () => {
    const comments = generateComments(post, { count: 4, seed: 3 });
    const broken = { ...comments[1], body: 42 } as unknown as (typeof comments)[number];
    server.setComments(post.id, [comments[0], broken, comments[2], comments[3]] as typeof comments);
    const out = await redditPostComments({ postId: post.id }).run(fakeTaskContext(server.connection()), {});
    expect(out.counts.skipped).toBe(1);
    expect(out.comments.map((c) => c.id)).not.toContain(broken.id);
    await expect(redditPostComments({ postId: post.id, malformed: 'fail' }).run(fakeTaskContext(server.connection()), {})).rejects.toBeInstanceOf(
      RedditRecordError,
    );
  });

  it('accepts a t3_ fullname as post id', async () => {
    const out = await redditPostComments({ postId: post.name, maxMoreRequests: 0 }).run(fakeTaskContext(server.connection()), {});
    expect(out.post?.fullname).toBe(post.name);
  });
});

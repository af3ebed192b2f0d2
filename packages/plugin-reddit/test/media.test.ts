import { describe, expect, it } from 'vitest';
import { extractMediaUrls } from '../src/media.js';
import { redditMediaUrls, selectMedia } from '../src/operators/media-urls.js';
import { normalizePost, type RedditPost } from '../src/records.js';
import { generatePosts } from '../src/testing/index.js';
import { fakeTaskContext } from './helpers.js';

describe('extractMediaUrls', () => {
  it('takes direct i.redd.it and i.imgur.com links, then previews (entities decoded)', () => {
    expect(
      extractMediaUrls({
        url: 'https://i.redd.it/abc.jpg',
        preview: { images: [{ source: { url: 'https://preview.redd.it/abc.jpg?width=640&amp;s=1' } }] },
      }),
    ).toEqual([
      { url: 'https://i.redd.it/abc.jpg', kind: 'image' },
      { url: 'https://preview.redd.it/abc.jpg?width=640&s=1', kind: 'preview' },
    ]);
    expect(extractMediaUrls({ url: 'https://i.imgur.com/x.png' })).toEqual([{ url: 'https://i.imgur.com/x.png', kind: 'image' }]);
  });

  it('lists gallery images in gallery_data order, skipping invalid entries', () => {
    const post = {
      url: 'https://www.reddit.com/gallery/g1',
      is_gallery: true,
      gallery_data: { items: [{ media_id: 'b' }, { media_id: 'a' }, { media_id: 'c' }] },
      media_metadata: {
        a: { status: 'valid', s: { u: 'https://preview.redd.it/a.jpg' } },
        b: { status: 'valid', s: { gif: 'https://preview.redd.it/b.gif' } },
        c: { status: 'failed' },
      },
    };
    expect(extractMediaUrls(post).map((m) => m.url)).toEqual(['https://preview.redd.it/b.gif', 'https://preview.redd.it/a.jpg']);
  });

  it('finds Reddit-hosted video and ignores links to other sites', () => {
    expect(extractMediaUrls({ url: 'https://v.redd.it/v1', secure_media: { reddit_video: { fallback_url: 'https://v.redd.it/v1/DASH_720.mp4' } } })).toEqual([
      { url: 'https://v.redd.it/v1/DASH_720.mp4', kind: 'video' },
    ]);
    expect(extractMediaUrls({ url: 'https://example.com/article' })).toEqual([]);
    expect(extractMediaUrls(null)).toEqual([]);
  });
});

describe('reddit.media-urls', () => {
  const posts = generatePosts({ subreddit: 'pics', count: 5, start: '2026-01-01T00:00:00Z' })
    .map((data) => normalizePost({ kind: 't3', data }))
    .flatMap((r) => (r.ok ? [r.post] : [])) as RedditPost[];

  it('prefers full images over previews and numbers gallery items', () => {
    expect(selectMedia(posts[1] as RedditPost).map((m) => m.kind)).toEqual(['image']);
    expect(selectMedia(posts[3] as RedditPost).map((m) => [m.kind, m.index])).toEqual([
      ['gallery', 0],
      ['gallery', 1],
      ['gallery', 2],
    ]);
  });

  it('flattens the media of an upstream subreddit-posts output', async () => {
    const items = await redditMediaUrls({}).run(fakeTaskContext({ id: 'x', type: 'reddit', extra: {} }), { posts: { posts } });
    expect(items.map((i) => i.postId)).toEqual([posts[1]?.id, posts[2]?.id, posts[3]?.id, posts[3]?.id, posts[3]?.id]);
    expect(items.every((i) => i.url.startsWith('https://'))).toBe(true);
  });
});

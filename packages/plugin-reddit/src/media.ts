/** Where a media URL was found. */
export type RedditMediaKind = 'image' | 'gallery' | 'preview' | 'video';

/** One downloadable media URL of a post. */
export interface RedditMediaUrl {
  url: string;
  kind: RedditMediaKind;
}

/** Hosts whose post URL is itself an image. */
export const DIRECT_IMAGE_HOSTS: readonly string[] = ['i.redd.it', 'i.imgur.com'];

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.replaceAll('&amp;', '&') : undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function galleryUrls(post: Json): string[] {
  const metadata = asObject(post.media_metadata);
  if (!metadata) return [];
  const items = asObject(post.gallery_data)?.items;
  const order = Array.isArray(items)
    ? items.map((item) => asString(asObject(item)?.media_id)).filter((id): id is string => id !== undefined)
    : Object.keys(metadata);
  const urls: string[] = [];
  for (const id of order) {
    const entry = asObject(metadata[id]);
    if (!entry || (entry.status !== undefined && entry.status !== 'valid')) continue;
    const source = asObject(entry.s);
    const url = asString(source?.u) ?? asString(source?.gif) ?? asString(source?.mp4);
    if (url) urls.push(url);
  }
  return urls;
}

function previewUrls(post: Json): string[] {
  const images = asObject(post.preview)?.images;
  if (!Array.isArray(images)) return [];
  return images.map((image) => asString(asObject(asObject(image)?.source)?.url)).filter((u): u is string => u !== undefined);
}

function videoUrl(post: Json): string | undefined {
  const media = asObject(post.secure_media) ?? asObject(post.media);
  return asString(asObject(media?.reddit_video)?.fallback_url);
}

/**
 * The image and media URLs of a raw post (`data` of a `t3` thing), in download order and without
 * duplicates: the post URL when it is a direct image (i.redd.it, i.imgur.com), gallery images from
 * `media_metadata` (in `gallery_data` order), Reddit-hosted video, then preview images.
 */
export function extractMediaUrls(post: unknown): RedditMediaUrl[] {
  const data = asObject(post);
  if (!data) return [];
  const found: RedditMediaUrl[] = [];
  const url = asString(data.url_overridden_by_dest) ?? asString(data.url);
  const host = url ? hostOf(url) : undefined;
  if (url && host && DIRECT_IMAGE_HOSTS.includes(host)) found.push({ url, kind: 'image' });
  for (const galleryUrl of galleryUrls(data)) found.push({ url: galleryUrl, kind: 'gallery' });
  const video = videoUrl(data);
  if (video) found.push({ url: video, kind: 'video' });
  for (const preview of previewUrls(data)) found.push({ url: preview, kind: 'preview' });
  const seen = new Set<string>();
  return found.filter((m) => (seen.has(m.url) ? false : (seen.add(m.url), true)));
}

/**
 * Validation of S3 keys, prefixes and bucket names built from params or data, and `s3://` URLs.
 */
import { S3KeyError } from '../errors.js';

/** Longest key S3 accepts, in UTF-8 bytes. */
export const MAX_S3_KEY_BYTES = 1024;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A bucket and key, as parsed from `s3://bucket/key`. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** Checks a bucket name (3–63 lowercase letters, digits, `.`, `-`). @throws S3KeyError */
export function validateBucketName(bucket: string): string {
  if (typeof bucket !== 'string' || !BUCKET.test(bucket) || bucket.includes('..')) {
    throw new S3KeyError(`invalid bucket name '${String(bucket).slice(0, 80)}': expected 3-63 lowercase letters, digits, '.' or '-'`);
  }
  return bucket;
}

function checkPath(value: string, what: string, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new S3KeyError(`${what} must be a string`);
  const shown = JSON.stringify(value.slice(0, 80));
  if (value === '' && !allowEmpty) throw new S3KeyError(`${what} must not be empty`);
  if (value.startsWith('/')) throw new S3KeyError(`${what} ${shown} must not start with '/'`);
  if (CONTROL.test(value)) throw new S3KeyError(`${what} ${shown} must not contain control characters`);
  if (value.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new S3KeyError(`${what} ${shown} must not contain '.' or '..' segments`);
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_S3_KEY_BYTES) {
    throw new S3KeyError(`${what} ${shown}… is longer than ${MAX_S3_KEY_BYTES} bytes`);
  }
  return value;
}

/**
 * Checks an object key: not empty, no leading `/`, no `.`/`..` segments, no control characters, at most
 * 1024 UTF-8 bytes. Returns the key. @throws S3KeyError naming the rule broken.
 */
export function validateS3Key(key: string): string {
  const checked = checkPath(key, 'S3 key', false);
  if (checked.endsWith('/')) throw new S3KeyError(`S3 key ${JSON.stringify(checked.slice(0, 80))} must not end with '/'`);
  return checked;
}

/** Checks a key prefix with the rules of {@link validateS3Key}; the empty prefix (whole bucket) is allowed. */
export function validateS3Prefix(prefix: string): string {
  return checkPath(prefix, 'S3 prefix', true);
}

/** Joins a prefix and a relative key with exactly one `/` and validates the result. */
export function joinS3Key(prefix: string, name: string): string {
  const left = prefix.replace(/\/+$/, '');
  const right = name.replace(/^\/+/, '');
  return validateS3Key(left ? `${left}/${right}` : right);
}

/** Parses `s3://bucket/key` (the key may be empty or a prefix). @throws S3KeyError */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(typeof url === 'string' ? url : '');
  if (!match?.[1]) throw new S3KeyError(`not an s3:// URL: ${JSON.stringify(String(url).slice(0, 80))}`);
  return { bucket: validateBucketName(match[1]), key: validateS3Prefix(match[2] ?? '') };
}

/** Formats `s3://bucket/key`. */
export function formatS3Url(bucket: string, key = ''): string {
  return key ? `s3://${bucket}/${key}` : `s3://${bucket}`;
}

/** The folder part of a key: everything before its last `/` (empty for a key at the top level). */
export function keyDirectory(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

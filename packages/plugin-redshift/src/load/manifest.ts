/**
 * Redshift COPY manifests: the explicit list of objects a load reads, written to S3 next to the data. The
 * manifest's name depends only on the object list, so a rerun of the same load overwrites it.
 */
import { createHash } from 'node:crypto';
import { formatS3Url, joinS3Key, keyDirectory, validateBucketName, validateS3Key } from '@sluice/plugin-aws';

/** A COPY manifest (`{"entries":[{"url":"s3://…","mandatory":true}]}`). */
export interface CopyManifest {
  entries: { url: string; mandatory: boolean }[];
}

/** The manifest for `keys` in `bucket`: every entry mandatory (a missing object fails the COPY). */
export function buildManifest(bucket: string, keys: readonly string[]): CopyManifest {
  validateBucketName(bucket);
  return { entries: keys.map((key) => ({ url: formatS3Url(bucket, validateS3Key(key)), mandatory: true })) };
}

/**
 * Key of the manifest for `keys`: `<folder of the first key>/_sluice_copy_<hash>.manifest`, where the hash
 * is of the bucket and the key list. The leading `_` keeps it out of prefix loads and crawls.
 */
export function manifestKey(bucket: string, keys: readonly string[]): string {
  const first = keys[0];
  if (first === undefined) throw new RangeError('a manifest needs at least one key');
  const hash = createHash('sha256').update(JSON.stringify([bucket, keys])).digest('hex').slice(0, 16);
  return joinS3Key(keyDirectory(first), `_sluice_copy_${hash}.manifest`);
}

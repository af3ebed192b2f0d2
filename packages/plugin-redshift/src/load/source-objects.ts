/**
 * The S3 side of a load: which objects it reads, whether they are gzip, the manifest Redshift reads them
 * through, and the JSONPaths file.
 */
import { ValidationError } from '@sluice/core';
import { formatS3Url, isDataKey, parseS3Url, validateS3Key, validateS3Prefix, type S3Hook } from '@sluice/plugin-aws';
import { buildManifest, manifestKey } from './manifest.js';

/**
 * The keys a load reads: `keys` as given (validated), or every data object under `prefix` in key order
 * (folder markers and `_`/`.` names such as `_SUCCESS` and manifests left out).
 */
export async function listSourceKeys(s3: S3Hook, bucket: string, source: { prefix?: string | undefined; keys?: readonly string[] | undefined }): Promise<string[]> {
  if (source.keys) return source.keys.map((key) => validateS3Key(key));
  const prefix = validateS3Prefix(source.prefix ?? '');
  const keys: string[] = [];
  for await (const object of s3.listObjects(bucket, prefix)) {
    if (isDataKey(object.key)) keys.push(object.key);
  }
  return keys.sort();
}

/**
 * Whether each key is gunzipped: `gzip` when set, otherwise by the `.gz` ending. `uniform` (Redshift,
 * whose GZIP applies to the whole COPY) refuses a mix of gzip and plain objects when `gzip` is not set.
 * @throws ValidationError for such a mix.
 */
export function gzipDecision(keys: readonly string[], gzip: boolean | undefined, uniform: boolean): (key: string) => boolean {
  if (gzip !== undefined) return () => gzip;
  const gz = keys.filter((key) => key.endsWith('.gz')).length;
  if (uniform && gz > 0 && gz < keys.length) {
    throw new ValidationError(`${gz} of ${keys.length} objects end with .gz; Redshift's GZIP applies to all of them: set 'gzip' or split the load`, 'gzip');
  }
  return (key) => key.endsWith('.gz');
}

/** Writes the COPY manifest for `keys` next to the first one; returns its `s3://` URL. */
export async function writeManifest(s3: S3Hook, bucket: string, keys: readonly string[]): Promise<string> {
  const key = manifestKey(bucket, keys);
  await s3.put(bucket, key, JSON.stringify(buildManifest(bucket, keys)), { contentType: 'application/json' });
  return formatS3Url(bucket, key);
}

/**
 * The paths of a JSONPaths file (`{"jsonpaths": ["$.a", …]}`) at an `s3://` URL.
 * @throws ValidationError when the file is not a JSONPaths document.
 */
export async function readJsonPaths(s3: S3Hook, url: string): Promise<string[]> {
  const { bucket, key } = parseS3Url(url);
  let document: unknown;
  try {
    document = JSON.parse(await s3.getString(bucket, key));
  } catch (error) {
    throw new ValidationError(`jsonPaths ${url}: not valid JSON`, 'jsonPaths', undefined, { cause: error });
  }
  const paths = (document as { jsonpaths?: unknown } | null)?.jsonpaths;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
    throw new ValidationError(`jsonPaths ${url}: expected {"jsonpaths": ["$.field", …]}`, 'jsonPaths');
  }
  return paths as string[];
}

/**
 * The `aws` connection type (Airflow's): region, static credentials or the default AWS credential chain,
 * and an optional endpoint for S3-compatible services. Turns a {@link Connection} into SDK client config.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { resolveConnectionExtra, type Connection } from '@sluice/core';
import { z } from 'zod';
import { AwsConnectionError } from '../errors.js';

/** Connection id the AWS operators, sensors and hooks use unless told otherwise. */
export const DEFAULT_AWS_CONNECTION_ID = 'aws_default';

/** Region used when an endpoint is set and the connection names no region (local stand-ins ignore it). */
export const DEFAULT_ENDPOINT_REGION = 'us-east-1';

/** A boolean that may arrive as a string from a connection URI (`?force_path_style=true`). */
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/**
 * zod schema of an `aws` connection's `extra`, with Airflow's names. Unknown keys are kept (Airflow
 * connections carry more settings than Sluice reads).
 */
export const awsConnectionExtraSchema = z.looseObject({
  /** AWS region, Airflow's name. */
  region_name: z.string().min(1).optional(),
  /** AWS region, short alias. */
  region: z.string().min(1).optional(),
  /** Endpoint of an S3-compatible service or a local stand-in, e.g. `http://127.0.0.1:4569` (Airflow's name). */
  endpoint_url: z.url().optional(),
  /** Alias of `endpoint_url`. */
  endpoint: z.url().optional(),
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint`; default true when an endpoint is set. */
  force_path_style: flag.optional(),
  /** Session token of temporary credentials. */
  aws_session_token: z.string().min(1).optional(),
  /** Access key id, when not in the connection's `login` (Airflow accepts both). */
  aws_access_key_id: z.string().min(1).optional(),
  /** Secret access key, when not in the connection's `password`. */
  aws_secret_access_key: z.string().min(1).optional(),
});

/** Static AWS credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What an `aws` connection says, normalised. */
export interface AwsConnectionSettings {
  /** Region, or `undefined` to let the SDK find it (AWS_REGION, profile). */
  region?: string | undefined;
  /** Static credentials, or `undefined` for the default credential chain. */
  credentials?: AwsCredentials | undefined;
  /** Custom endpoint for S3-compatible services. */
  endpoint?: string | undefined;
  /** Path-style bucket addressing. */
  forcePathStyle: boolean;
}

/**
 * Reads an `aws` connection: `login`/`password` (or extra `aws_access_key_id`/`aws_secret_access_key`)
 * are the key pair, extra `aws_session_token` the session token; without a key pair the SDK's default
 * credential chain is used. @throws ConnectionError (bad extra) or AwsConnectionError (half a key pair).
 */
export async function resolveAwsConnection(connection: Connection): Promise<AwsConnectionSettings> {
  const extra = await resolveConnectionExtra(connection, awsConnectionExtraSchema);
  const accessKeyId = connection.login || extra.aws_access_key_id;
  const secretAccessKey = connection.password || extra.aws_secret_access_key;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new AwsConnectionError(
      `connection '${connection.id}': give both an access key id (login) and a secret access key (password), or neither`,
    );
  }
  const endpoint = extra.endpoint_url ?? extra.endpoint;
  const region = extra.region_name ?? extra.region ?? (endpoint ? DEFAULT_ENDPOINT_REGION : undefined);
  const credentials =
    accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(extra.aws_session_token ? { sessionToken: extra.aws_session_token } : {}) }
      : undefined;
  return { region, credentials, endpoint, forcePathStyle: extra.force_path_style ?? endpoint !== undefined };
}

/** Config shared by every AWS SDK client: region, credentials, endpoint (keys left out when unset). */
export function awsClientConfig(settings: AwsConnectionSettings): {
  region?: string;
  credentials?: AwsCredentials;
  endpoint?: string;
} {
  return {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}

/**
 * S3 client config. With a custom endpoint, checksums are only computed and validated when an operation
 * requires them (S3-compatible servers such as s3rver reject the newer default checksums).
 */
export function s3ClientConfig(settings: AwsConnectionSettings): S3ClientConfig {
  return {
    ...awsClientConfig(settings),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint
      ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
      : {}),
  };
}

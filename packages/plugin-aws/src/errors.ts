/**
 * Named error classes of `@sluice/plugin-aws`. Each has a stable `name` (so callers can tell them apart
 * without `instanceof`) and keeps the underlying SDK or network error as `cause`. Messages never hold
 * secret values or object contents.
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/core';

/** A key, prefix, bucket or `s3://` URL is invalid (built from params or data). */
export class S3KeyError extends SluiceError {
  override name = 'S3KeyError';
}

/** An S3 call failed; the message names the operation, bucket and key. */
export class S3OperationError extends SluiceError {
  override name = 'S3OperationError';
  constructor(
    message: string,
    /** The S3 operation, e.g. `GetObject`. */
    readonly operation: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** An `aws` connection cannot be turned into client settings (bad extra, half of a key pair). */
export class AwsConnectionError extends SluiceError {
  override name = 'AwsConnectionError';
}

/** Secrets Manager failed for a reason other than a missing secret (access denied, network, throttling). */
export class SecretsManagerBackendError extends SluiceError {
  override name = 'SecretsManagerBackendError';
}

/** A JSON Lines object holds a line that is not valid JSON; names the key and line number. */
export class JsonLinesError extends SluiceError {
  override name = 'JsonLinesError';
}

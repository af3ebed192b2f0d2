/**
 * Named error classes of `@sluice/plugin-reddit`. Each has a stable `name` and keeps the underlying
 * error as `cause`. Messages never contain client secrets, passwords or access tokens.
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/core';

/** Base class of every error thrown by the Reddit plugin. */
export class RedditError extends SluiceError {
  override name = 'RedditError';
}

/** Reddit refused the credentials (token grant failed, or a fresh token was still rejected). */
export class RedditAuthError extends RedditError {
  override name = 'RedditAuthError';
  constructor(
    message: string,
    /** Reddit's error code when it gave one, e.g. `invalid_grant`. */
    readonly reason?: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Reddit kept answering 429 (Too Many Requests) until the retries ran out. */
export class RedditRateLimitError extends RedditError {
  override name = 'RedditRateLimitError';
}

/** Reddit answered with an error status (after retries, for retryable ones) or an unreadable body. */
export class RedditApiError extends RedditError {
  override name = 'RedditApiError';
  constructor(
    message: string,
    /** HTTP status, or `undefined` for a connection error. */
    readonly status?: number,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** An item of a listing did not match the expected shape (raised with the `fail` malformed policy). */
export class RedditRecordError extends RedditError {
  override name = 'RedditRecordError';
  constructor(
    message: string,
    /** The item's id (or its position) when known. */
    readonly itemId?: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

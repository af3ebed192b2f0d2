import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { isErrorNamed, SluiceError, type SluiceErrorOptions } from '../errors.js';
import type { Logger } from '../logger.js';

/** The `error.code` values of API error responses. */
export type ApiErrorCode = 'validation_error' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'internal';

const STATUS: Record<ApiErrorCode, ContentfulStatusCode> = {
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

/** An error the API answers with as JSON: `{ error: { code, message, field? } }` with the code's status. */
export class ApiError extends SluiceError {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Dotted path of the offending input field, when there is one. */
    readonly field?: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }

  /** The HTTP status of this error's code. */
  get status(): ContentfulStatusCode {
    return STATUS[this.code];
  }
}

/**
 * A 400 naming the first zod issue's field as a dotted path (`conf.subreddit`, `limit`) under `prefix`;
 * `fallback` names the whole input (`body`, `query`) when the issue has no path.
 */
export function fromZodError(error: z.ZodError, prefix: string, fallback = 'body'): ApiError {
  const issue = error.issues[0];
  let path = (issue?.path ?? []).map(String);
  if (issue?.code === 'unrecognized_keys') path = [...path, ...issue.keys.slice(0, 1)];
  const field = [prefix, ...path].filter(Boolean).join('.') || fallback;
  const message = issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid');
  return new ApiError('validation_error', `${field}: ${message}`, field, { cause: error });
}

/**
 * Maps any error to the API's JSON error response. Sluice errors keep their message (they never carry
 * secrets); anything else becomes a bare 500 `internal error` and is logged, so no stack trace, SQL or
 * driver message reaches the client.
 */
export function errorResponse(c: Context, error: unknown, logger: Logger): Response {
  const api = toApiError(error);
  if (api.code === 'internal') {
    logger.error('API request failed', { method: c.req.method, path: c.req.path, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
  const body = { error: { code: api.code, message: api.message, ...(api.field ? { field: api.field } : {}) } };
  return c.json(body, api.status);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : '';
  if (isErrorNamed(error, 'ValidationError') || isErrorNamed(error, 'DagDefinitionError')) {
    const field = (error as { field?: string }).field;
    return new ApiError('validation_error', message, field);
  }
  if (isErrorNamed(error, 'NotFoundError')) return new ApiError('not_found', message);
  return new ApiError('internal', 'internal error');
}

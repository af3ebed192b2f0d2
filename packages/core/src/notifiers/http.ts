import { SluiceError, type SluiceErrorOptions } from '../errors.js';
import type { Connection } from '../connections/types.js';

/** Default time a notifier waits for the receiver to answer. */
export const DEFAULT_NOTIFIER_TIMEOUT_MS = 10_000;

/**
 * A notification could not be delivered: the receiver answered with a non-2xx status, did not answer in
 * time, or could not be reached. The message names the notifier, the receiver's origin (scheme, host and
 * port only: never a path, query or credentials) and the status.
 */
export class NotificationDeliveryError extends SluiceError {
  override name = 'NotificationDeliveryError';
  constructor(
    message: string,
    /** HTTP status of the answer, when there was one. */
    readonly status?: number,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * The part of a URL that is safe to print: `scheme://host[:port]`. Paths (Slack tokens), queries and
 * credentials are dropped. Returns `'<invalid url>'` for a string that is not a URL.
 */
export function safeOrigin(url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '<invalid url>';
  }
}

/** Replaces every URL inside `text` by its {@link safeOrigin}, so a message quoting a URL leaks no secret. */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (match) => safeOrigin(match));
}

/**
 * Builds a base URL from a connection's `host` (a bare host name or a full URL), `port` and, optionally,
 * its `schema` as a path. A bare host gets `defaultScheme`.
 */
export function baseUrlFromConnection(
  connection: Connection,
  defaultScheme: 'http' | 'https',
  options: { schemaAsPath?: boolean } = {},
): URL | undefined {
  const host = connection.host?.trim();
  if (!host) return undefined;
  let scheme = defaultScheme;
  let schemaPath = options.schemaAsPath ? connection.schema?.trim() : undefined;
  // Airflow's HTTP connections keep the scheme in `schema`; accept that spelling too.
  if (schemaPath === 'http' || schemaPath === 'https') {
    scheme = schemaPath;
    schemaPath = undefined;
  }
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `${scheme}://${host}`);
  if (connection.port !== undefined) url.port = String(connection.port);
  if (schemaPath) url.pathname = joinPath(url.pathname, schemaPath);
  return url;
}

/** Joins URL path segments with exactly one `/` between them. */
export function joinPath(base: string, ...segments: string[]): string {
  let path = base.replace(/\/+$/, '');
  for (const segment of segments) {
    const trimmed = segment.replace(/^\/+|\/+$/g, '');
    if (trimmed) path = `${path}/${trimmed}`;
  }
  return path || '/';
}

/**
 * Moves credentials written into a URL (`https://user:pass@host/…`) into a Basic `Authorization` header:
 * `fetch` refuses URLs with credentials, and a header is never printed.
 */
export function takeUrlCredentials(url: URL): { url: URL; headers: Record<string, string> } {
  if (!url.username && !url.password) return { url, headers: {} };
  const login = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  return { url: clean, headers: basicAuthorization(login, password) };
}

/** A Basic `Authorization` header for `login`/`password`. */
export function basicAuthorization(login: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` };
}

/** Options of {@link postJson}. */
export interface PostJsonOptions {
  /** Name of the notifier, used in error messages. */
  notifier: string;
  headers?: Record<string, string>;
  /** Give up after this long. Default {@link DEFAULT_NOTIFIER_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Aborts the request early (the dispatcher's bound or the caller's cancellation). */
  signal?: AbortSignal | undefined;
  /** Statuses counted as delivered. Default: any 2xx. */
  accept?: (status: number) => boolean;
}

/**
 * POSTs `body` as JSON to `url` and resolves with the status once the receiver accepted it.
 * Throws {@link NotificationDeliveryError} otherwise; the error message never contains the URL's path,
 * query or credentials, the headers, or the body.
 */
export async function postJson(url: URL, body: unknown, options: PostJsonOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFIER_TIMEOUT_MS;
  const where = `${options.notifier}: POST ${safeOrigin(url)}`;
  const { url: target, headers: authHeaders } = takeUrlCredentials(url);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onOuterAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    let response: Response;
    try {
      response = await fetch(target, {
        method: 'POST',
        headers: mergeHeaders({ 'content-type': 'application/json', 'user-agent': 'sluice' }, authHeaders, options.headers),
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      const reason = controller.signal.aborted
        ? options.signal?.aborted
          ? 'was cancelled'
          : `timed out after ${timeoutMs}ms`
        : `failed (${describeNetworkError(error)})`;
      throw new NotificationDeliveryError(`${where} ${reason}`, undefined, { cause: error });
    }
    // Free the connection; the answer's body is never needed (nor printed).
    await response.body?.cancel().catch(() => undefined);
    const accept = options.accept ?? ((status: number) => status >= 200 && status < 300);
    if (!accept(response.status)) {
      throw new NotificationDeliveryError(
        `${where} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        response.status,
      );
    }
    return response.status;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Merges header records case-insensitively; later records win. */
function mergeHeaders(...records: (Record<string, string> | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record ?? {})) merged[key.toLowerCase()] = value;
  }
  return merged;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown error';
}

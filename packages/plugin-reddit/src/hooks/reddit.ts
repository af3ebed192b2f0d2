import { ConnectionError, resolveConnectionExtra, type Connection, type Hook, type Logger } from '@sluice/core';
import { redditExtraSchema, type RedditConnectionExtra } from '../connection.js';
import { RedditApiError, RedditAuthError, RedditRateLimitError } from '../errors.js';
import { rateLimiterFor, type RedditRateLimiter } from '../rate-limiter.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, retryAfterMs, type RetryPolicy } from '../retry.js';
import { systemTime, type RedditTime } from '../time.js';
import { requestAccessToken, type AccessToken, type TokenRequest } from './token.js';

/** Default connection id of the Reddit hook. */
export const REDDIT_DEFAULT_CONNECTION_ID = 'reddit_default';

/** What the hook needs from its caller: a task context fits. */
export interface RedditHookContext {
  getConnection(id: string): Promise<Connection>;
  readonly signal?: AbortSignal;
  readonly log?: Logger;
}

/** Options of {@link RedditHook}; the defaults suit production. */
export interface RedditHookOptions {
  /** Time source for pacing, backoff and token expiry. Default: real time. */
  time?: RedditTime;
  /** Rate limiter to use. Default: the process-wide limiter of the connection's client id. */
  limiter?: RedditRateLimiter;
  /** Retry policy for 5xx, 408, 429 and connection errors. */
  retry?: Partial<RetryPolicy>;
  /** Random source for backoff jitter, in [0, 1). */
  random?: () => number;
}

/** Query parameters of an API call; `undefined` values are left out. */
export type QueryParams = Record<string, string | number | boolean | undefined>;

interface Resolved {
  clientId: string;
  extra: RedditConnectionExtra;
  tokenRequest: Omit<TokenRequest, 'signal'>;
  limiter: RedditRateLimiter;
  cacheKey: string;
}

const tokenCache = new Map<string, AccessToken>();
const pendingTokens = new Map<string, Promise<AccessToken>>();

/** Forgets every cached access token of the process (tests). */
export function clearRedditTokenCache(): void {
  tokenCache.clear();
}

/**
 * Talks to Reddit's OAuth API with a `reddit` connection: gets and caches the access token (shared by
 * every hook of the process with the same app and account, renewed before expiry and on a 401), sends the
 * required user agent and `raw_json=1`, paces requests through the client id's shared rate limiter, and
 * retries 429 (after `Retry-After`), 408, 5xx and connection errors with jittered backoff.
 */
export class RedditHook implements Hook {
  private resolved: Promise<Resolved> | undefined;
  private readonly time: RedditTime;
  private readonly retry: RetryPolicy;

  constructor(
    readonly connectionId: string = REDDIT_DEFAULT_CONNECTION_ID,
    private readonly ctx: RedditHookContext,
    private readonly options: RedditHookOptions = {},
  ) {
    this.time = options.time ?? systemTime;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** Checks the connection (user agent, credentials) without calling Reddit. */
  async validate(): Promise<void> {
    await this.resolve();
  }

  /**
   * A valid access token: the cached one unless it has expired or is `rejected` (the token a 401 came
   * back for). Concurrent callers share one token request.
   */
  async accessToken(rejected?: string): Promise<string> {
    const r = await this.resolve();
    const cached = tokenCache.get(r.cacheKey);
    if (cached && cached.value !== rejected && cached.expiresAt > this.time.now()) return cached.value;
    let pending = pendingTokens.get(r.cacheKey);
    if (!pending) {
      pending = requestAccessToken({ ...r.tokenRequest, signal: this.ctx.signal }, this.time.now()).finally(() =>
        pendingTokens.delete(r.cacheKey),
      );
      pendingTokens.set(r.cacheKey, pending);
    }
    const token = await pending;
    tokenCache.set(r.cacheKey, token);
    this.ctx.log?.debug('reddit: obtained an access token', { grant: r.tokenRequest.grant.type });
    return token.value;
  }

  /** GETs `path` (e.g. `/r/typescript/new`) from the API and returns the parsed JSON body. */
  async getJson<T = unknown>(path: string, query: QueryParams = {}): Promise<T> {
    return (await this.request('GET', path, query)) as T;
  }

  /** POSTs a form to `path` and returns the parsed JSON body. */
  async postForm<T = unknown>(path: string, form: QueryParams): Promise<T> {
    return (await this.request('POST', path, form)) as T;
  }

  private resolve(): Promise<Resolved> {
    this.resolved ??= this.resolveConnection();
    return this.resolved;
  }

  private async resolveConnection(): Promise<Resolved> {
    const connection = await this.ctx.getConnection(this.connectionId);
    const id = connection.id;
    if (!connection.login || !connection.password) {
      throw new ConnectionError(
        `connection '${id}': a reddit connection needs 'login' (the client id) and 'password' (the client secret)`,
      );
    }
    const extra = await resolveConnectionExtra(connection, redditExtraSchema);
    const grantType = extra.grant_type ?? (extra.username ? 'password' : 'client_credentials');
    let grant: TokenRequest['grant'] = { type: 'client_credentials' };
    if (grantType === 'password') {
      if (!extra.username || !extra.password) {
        throw new ConnectionError(`connection '${id}': the password grant needs extra fields 'username' and 'password'`);
      }
      grant = { type: 'password', username: extra.username, password: extra.password };
    }
    return {
      clientId: connection.login,
      extra,
      tokenRequest: {
        authBaseUrl: extra.auth_base_url,
        clientId: connection.login,
        clientSecret: connection.password,
        userAgent: extra.user_agent,
        grant,
      },
      limiter: this.options.limiter ?? rateLimiterFor(connection.login, this.time),
      cacheKey: [extra.auth_base_url, connection.login, grantType, extra.username ?? ''].join('\u0000'),
    };
  }

  private buildRequest(r: Resolved, method: string, path: string, params: QueryParams): { url: URL; body?: URLSearchParams } {
    const url = new URL(path, r.extra.api_base_url);
    const values = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) values.set(key, String(value));
    }
    values.set('raw_json', '1');
    if (method === 'GET') {
      for (const [key, value] of values) url.searchParams.set(key, value);
      return { url };
    }
    url.searchParams.set('raw_json', '1');
    return { url, body: values };
  }

  private async request(method: 'GET' | 'POST', path: string, params: QueryParams): Promise<unknown> {
    const r = await this.resolve();
    const { url, body } = this.buildRequest(r, method, path, params);
    const signal = this.ctx.signal;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      await r.limiter.acquire(signal);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { authorization: `bearer ${token}`, 'user-agent': r.extra.user_agent, accept: 'application/json' },
          ...(body ? { body } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (attempt >= this.retry.maxAttempts) {
          throw new RedditApiError(`${method} ${path}: connection failed after ${attempt} attempts`, undefined, { cause: error });
        }
        await this.backoff(attempt, `connection error`, path);
        continue;
      }
      r.limiter.update(response.headers);
      if (response.status === 401) {
        await response.body?.cancel();
        if (refreshed) throw new RedditAuthError(`${method} ${path}: Reddit rejected a freshly issued token (HTTP 401)`, 'unauthorized');
        refreshed = true;
        attempt--;
        await this.accessToken(token);
        continue;
      }
      if (response.status === 429) {
        await response.body?.cancel();
        const wait = retryAfterMs(response.headers.get('retry-after'), this.time.now()) ?? backoffDelay(attempt, this.retry, this.options.random);
        r.limiter.blockFor(wait);
        if (attempt >= this.retry.maxAttempts) {
          throw new RedditRateLimitError(`${method} ${path}: still rate limited (HTTP 429) after ${attempt} attempts`);
        }
        this.ctx.log?.warn('reddit: rate limited, waiting', { path, waitMs: wait });
        continue;
      }
      if (isRetryableStatus(response.status)) {
        await response.body?.cancel();
        if (attempt >= this.retry.maxAttempts) {
          throw new RedditApiError(`${method} ${path}: HTTP ${response.status} after ${attempt} attempts`, response.status);
        }
        await this.backoff(attempt, `HTTP ${response.status}`, path);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new RedditApiError(`${method} ${path}: HTTP ${response.status}`, response.status);
      }
      try {
        return (await response.json()) as unknown;
      } catch (error) {
        throw new RedditApiError(`${method} ${path}: the response is not JSON`, response.status, { cause: error });
      }
    }
  }

  private async backoff(attempt: number, reason: string, path: string): Promise<void> {
    const delay = backoffDelay(attempt, this.retry, this.options.random);
    this.ctx.log?.warn('reddit: retrying', { path, reason, attempt, delayMs: delay });
    await this.time.sleep(delay, this.ctx.signal);
  }
}

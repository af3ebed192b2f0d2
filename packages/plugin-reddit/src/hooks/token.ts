import { RedditApiError, RedditAuthError } from '../errors.js';

/** What is needed to ask Reddit for an access token. */
export interface TokenRequest {
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  userAgent: string;
  grant: { type: 'password'; username: string; password: string } | { type: 'client_credentials' };
  signal?: AbortSignal | undefined;
}

/** An access token and when it stops being valid (epoch ms). */
export interface AccessToken {
  value: string;
  expiresAt: number;
}

const GRANT_ERROR_HINTS: Record<string, string> = {
  invalid_grant: 'wrong Reddit username or password (or the account uses two-factor authentication)',
  unsupported_grant_type: 'the grant type is not allowed for this app type',
  invalid_client: 'wrong client id or client secret',
  unauthorized_client: 'this app type may not use that grant',
};

/**
 * Requests an OAuth2 token from `<authBaseUrl>/api/v1/access_token` (HTTP basic auth with the client id
 * and secret). A refusal, including Reddit's HTTP 200 `{"error": …}` answer, is a {@link RedditAuthError}
 * naming the cause; the message never contains the secret or the password.
 */
export async function requestAccessToken(request: TokenRequest, now: number): Promise<AccessToken> {
  const body = new URLSearchParams({ grant_type: request.grant.type });
  if (request.grant.type === 'password') {
    body.set('username', request.grant.username);
    body.set('password', request.grant.password);
  }
  const basic = Buffer.from(`${request.clientId}:${request.clientSecret}`).toString('base64');
  let response: Response;
  try {
    response = await fetch(new URL('/api/v1/access_token', request.authBaseUrl), {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': request.userAgent,
      },
      body,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    throw new RedditApiError('Reddit token endpoint could not be reached', undefined, { cause: error });
  }
  if (response.status === 401 || response.status === 403) {
    throw new RedditAuthError(
      `Reddit refused the token request (HTTP ${response.status}): ${GRANT_ERROR_HINTS.invalid_client}`,
      'invalid_client',
    );
  }
  if (!response.ok) {
    throw new RedditApiError(`Reddit token endpoint answered HTTP ${response.status}`, response.status);
  }
  let payload: Record<string, unknown>;
  try {
    payload = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new RedditApiError('Reddit token endpoint answered with a body that is not JSON', response.status, { cause: error });
  }
  if (typeof payload.error === 'string' || typeof payload.error === 'number') {
    const reason = String(payload.error);
    const hint = GRANT_ERROR_HINTS[reason];
    throw new RedditAuthError(`Reddit refused the ${request.grant.type} grant: ${reason}${hint ? ` (${hint})` : ''}`, reason);
  }
  if (typeof payload.access_token !== 'string' || payload.access_token === '') {
    throw new RedditAuthError('Reddit token response has no access_token', 'no_access_token');
  }
  const expiresIn = typeof payload.expires_in === 'number' ? payload.expires_in : 3600;
  // Renew a minute early so a token never expires between the check and the request.
  return { value: payload.access_token, expiresAt: now + Math.max(0, expiresIn - 60) * 1000 };
}

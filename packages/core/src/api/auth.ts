import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ValidationError } from '../errors.js';
import { findActiveApiToken, insertApiToken, touchApiToken, type ApiRole, type ApiTokenRecord } from '../store/api-tokens.js';
import type { Queryable } from '../store/rows.js';
import { addRoute, type ApiApp, type ApiContext, type ApiEnv } from './context.js';
import { ApiError } from './errors.js';
import { loginBody, readBody } from './schemas.js';

/** How the API authenticates callers. */
export interface AuthOptions {
  /**
   * Require a bearer token or a session cookie on every API call. When false (loopback only) every caller
   * is an admin; the server refuses a non-loopback address in that mode.
   */
  required: boolean;
  /** Session lifetime (default 12 hours). */
  sessionTtlMs?: number;
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'sluice_session';
const TOKEN_PREFIX = 'slc_';
const MAX_SESSIONS = 10_000;

/**
 * The stored form of a token: its sha256 (hex). Tokens are 32 random bytes, so a fast hash is enough —
 * guessing a token or inverting the hash is infeasible, unlike passwords, which would need a slow KDF.
 */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token: `slc_` + 32 random bytes in base64url. */
export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Creates a token and stores only its hash. Returns the token (show it once; it cannot be read back).
 * ValidationError when an active token already has that name.
 */
export async function createApiToken(db: Queryable, input: { name: string; role: ApiRole }): Promise<{ token: string; record: ApiTokenRecord }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/.test(input.name)) {
    throw new ValidationError(`token name '${input.name}' must be letters, digits and _ . @ - (at most 100)`, 'name');
  }
  const token = generateApiToken();
  const record = await insertApiToken(db, { name: input.name, role: input.role, tokenHash: hashApiToken(token) });
  if (!record) throw new ValidationError(`an active token named '${input.name}' already exists (revoke it first)`, 'name');
  return { token, record };
}

/** The active token matching `token`, looked up by hash (the plain token is never stored or compared). */
export async function verifyApiToken(db: Queryable, token: string): Promise<ApiTokenRecord | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const record = await findActiveApiToken(db, hashApiToken(token));
  if (record) await touchApiToken(db, record.id);
  return record;
}

interface Session {
  tokenHash: string;
  role: ApiRole;
  csrfToken: string;
  expiresAt: number;
}

/** UI sessions, in this server process's memory: a random id (the cookie) → token hash, role, CSRF token. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  constructor(private readonly ttlMs: number) {}

  /** Starts a session; returns its id (the cookie value) and CSRF token. */
  create(tokenHash: string, role: ApiRole): { id: string; csrfToken: string } {
    if (this.sessions.size >= MAX_SESSIONS) this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    this.sessions.set(id, { tokenHash, role, csrfToken, expiresAt: Date.now() + this.ttlMs });
    return { id, csrfToken };
  }

  /** The live session with this id. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (s && s.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** Ends a session. */
  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const LOOPBACK_HOSTS = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/i;
const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Who is calling: from a bearer token or a session cookie (undefined when neither is valid). */
async function identify(c: Context<ApiEnv>, ctx: ApiContext, sessions: SessionStore): Promise<{ role: ApiRole; via: 'bearer' | 'cookie'; session?: Session } | undefined> {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const record = match ? await verifyApiToken(ctx.db.knex, match[1] as string) : undefined;
    if (!record) throw new ApiError('unauthorized', 'invalid or revoked token');
    return { role: record.role, via: 'bearer' };
  }
  const session = sessions.get(getCookie(c, SESSION_COOKIE));
  if (!session) return undefined;
  const record = await findActiveApiToken(ctx.db.knex, session.tokenHash);
  if (!record) return undefined;
  return { role: record.role, via: 'cookie', session };
}

/**
 * Adds the auth routes (`/api/v1/auth/login|logout|session`) and the middleware in front of every other
 * `/api/v1` route:
 * - a non-GET request whose `Origin` is not this host is refused (403), whatever the auth mode;
 * - without auth (loopback only) every caller is an admin, but the `Host` must be a loopback name
 *   (defeats DNS rebinding);
 * - with auth, `Authorization: Bearer <token>` or the session cookie is required (401); a cookie-auth
 *   non-GET request must carry the session's `X-CSRF-Token` (403); the read-only role may only GET (403).
 */
export function registerAuth(app: ApiApp, ctx: ApiContext, auth: AuthOptions): void {
  const sessions = new SessionStore(auth.sessionTtlMs ?? 12 * 3_600_000);

  const guard: MiddlewareHandler<ApiEnv> = async (c, next) => {
    // The node server builds the request URL from the Host header.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const origin = c.req.header('origin');
    // Browsers send Origin on cross-site writes ("null" from sandboxed frames and some redirects): refuse those.
    if (!isRead(c.req.method) && origin) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost !== host) throw new ApiError('forbidden', 'cross-origin request refused');
    }
    if (!auth.required) {
      if (!LOOPBACK_HOSTS.test(host)) throw new ApiError('forbidden', 'this API (no auth) only answers loopback host names');
      c.set('role', 'admin');
      c.set('via', 'open');
      return next();
    }
    if (c.req.path.startsWith('/api/v1/auth/')) return next();
    const who = await identify(c, ctx, sessions);
    if (!who) throw new ApiError('unauthorized', 'authentication required: send Authorization: Bearer <token> or log in');
    if (who.via === 'cookie' && !isRead(c.req.method)) {
      const csrf = c.req.header('x-csrf-token') ?? '';
      if (!who.session || !sameSecret(csrf, who.session.csrfToken)) throw new ApiError('forbidden', 'missing or wrong X-CSRF-Token header');
    }
    if (who.role === 'read-only' && !isRead(c.req.method)) throw new ApiError('forbidden', 'the read-only role may not change anything');
    c.set('role', who.role);
    c.set('via', who.via);
    return next();
  };
  app.use('/api/v1/*', guard);

  addRoute(app, ctx, { method: 'post', path: '/api/v1/auth/login', summary: 'Log the UI in with a token: sets the session cookie, returns the CSRF token', body: loginBody, public: true }, async (c) => {
    const body = await readBody(c, loginBody);
    const record = await verifyApiToken(ctx.db.knex, body.token);
    if (!record) throw new ApiError('unauthorized', 'invalid or revoked token');
    const session = sessions.create(hashApiToken(body.token), record.role);
    setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: Math.floor((auth.sessionTtlMs ?? 12 * 3_600_000) / 1000) });
    return c.json({ role: record.role, csrfToken: session.csrfToken });
  });

  addRoute(app, ctx, { method: 'post', path: '/api/v1/auth/logout', summary: 'End the UI session', public: true }, (c) => {
    sessions.delete(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  addRoute(app, ctx, { method: 'get', path: '/api/v1/auth/session', summary: 'Whether auth is required and who the caller is', public: true }, async (c) => {
    if (!auth.required) return c.json({ authRequired: false, authenticated: true, role: 'admin', csrfToken: null });
    let who;
    try {
      who = await identify(c, ctx, sessions);
    } catch {
      who = undefined;
    }
    return c.json({ authRequired: true, authenticated: who !== undefined, role: who?.role ?? null, csrfToken: who?.session?.csrfToken ?? null });
  });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from '@sluice/core';
import { generateComments, type FakeComment, type FakePost } from './data.js';
import { CommentTree, orderPosts, pageOf } from './views.js';

/** Options of {@link FakeRedditServer.start}. */
export interface FakeRedditServerOptions {
  clientId?: string;
  clientSecret?: string;
  /** Account of the script app (password grant). */
  username?: string;
  password?: string;
  /** The server's "now" in epoch ms (posts created later are not visible yet). Default `Date.now`. */
  now?: () => number;
  /** Requests per client per window, and the window length. Default 1000 per 600 s (Reddit's). */
  rateLimit?: { budget: number; windowSeconds: number };
  /** Lifetime of issued tokens. Default 3600 s. */
  tokenTtlSeconds?: number;
  /** Comments of a post served inline; the others come as `more` stubs. Default 10. */
  inlineComments?: number;
  /** Items a listing serves at most. Default 1000. */
  listingCeiling?: number;
}

/** A scripted answer to the next API request (not the token endpoint). */
export type ScriptedFault = { status: 429; retryAfterSeconds: number } | { status: number } | { disconnect: true };

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Server time (epoch ms) when it arrived. */
  at: number;
  userAgent: string | undefined;
  status: number;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

/**
 * A real HTTP server on 127.0.0.1 speaking Reddit's protocol, for tests and the offline demo: the
 * OAuth2 token endpoint (password and client_credentials grants; bad account credentials answered as
 * HTTP 200 `{"error":"invalid_grant"}`), subreddit listings, comments with `more` stubs,
 * `/api/morechildren`, `X-Ratelimit-*` headers from a configurable budget, and scripted faults
 * (429 with `Retry-After`, 5xx, dropped connections, expired tokens).
 */
export class FakeRedditServer {
  /** Every API and token request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly posts = new Map<string, FakePost[]>();
  private readonly comments = new Map<string, FakeComment[]>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly faults: ScriptedFault[] = [];
  private readonly usage = new Map<string, { window: number; used: number }>();
  private tokenCounter = 0;
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: Required<Omit<FakeRedditServerOptions, 'now'>> & { now: () => number },
  ) {
    this.now = options.now;
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: FakeRedditServerOptions = {}): Promise<FakeRedditServer> {
    const resolved = {
      clientId: options.clientId ?? 'test-client-id',
      clientSecret: options.clientSecret ?? 'test-client-secret',
      username: options.username ?? 'test_user',
      password: options.password ?? 'test-password',
      now: options.now ?? (() => Date.now()),
      rateLimit: options.rateLimit ?? { budget: 1000, windowSeconds: 600 },
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      inlineComments: options.inlineComments ?? 10,
      listingCeiling: options.listingCeiling ?? 1000,
    };
    const holder: { instance?: FakeRedditServer } = {};
    const server = createServer((req, res) => {
      holder.instance?.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error), error: 500 }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const instance = new FakeRedditServer(server, `http://127.0.0.1:${port}`, resolved);
    holder.instance = instance;
    return instance;
  }

  /** Adds posts to a subreddit (created in the future = they appear once the server's time reaches them). */
  addPosts(subreddit: string, posts: readonly FakePost[]): void {
    this.posts.set(subreddit.toLowerCase(), [...(this.posts.get(subreddit.toLowerCase()) ?? []), ...posts]);
  }

  /** Sets the comments of a post; by default `num_comments` synthetic comments are generated on demand. */
  setComments(postId: string, comments: readonly FakeComment[]): void {
    this.comments.set(postId, [...comments]);
  }

  /** Queues faults answered, in order, to the next API requests. */
  scriptFaults(...faults: ScriptedFault[]): void {
    this.faults.push(...faults);
  }

  /** Makes every token issued so far invalid: the next API call gets a 401. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Tokens issued so far. */
  get tokensIssued(): number {
    return this.tokenCounter;
  }

  /** API requests (everything but the token endpoint) received so far. */
  apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path !== '/api/v1/access_token');
  }

  /** A `reddit` connection pointing at this server (script app with the server's account). */
  connection(overrides: Partial<Connection> & { extra?: Record<string, unknown> } = {}): Connection {
    return {
      id: 'reddit_default',
      type: 'reddit',
      login: this.options.clientId,
      password: this.options.clientSecret,
      ...overrides,
      extra: {
        user_agent: 'test:dev.sluice.reddit-tests:v0.1.0 (by /u/test_user)',
        username: this.options.username,
        password: this.options.password,
        auth_base_url: this.url,
        api_base_url: this.url,
        ...overrides.extra,
      },
    };
  }

  /** Stops the server and closes open sockets. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      at: this.now(),
      userAgent: req.headers['user-agent'],
      status: 0,
    };
    this.requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (url.pathname === '/api/v1/access_token' && req.method === 'POST') return this.token(req, new URLSearchParams(body), send);

    const token = /^bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const issued = token ? this.tokens.get(token) : undefined;
    if (!issued || issued.expiresAt <= this.now()) return send(401, { message: 'Unauthorized', error: 401 });
    const fault = this.faults.shift();
    if (fault && 'disconnect' in fault) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    const limits = this.countRequest(issued.clientId);
    if (fault) {
      const extra: Record<string, string> = 'retryAfterSeconds' in fault ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return send(fault.status, { message: 'scripted fault', error: fault.status }, { ...limits.headers, ...extra });
    }
    if (limits.exceeded) return send(429, { message: 'Too Many Requests', error: 429 }, { ...limits.headers, 'retry-after': limits.headers['x-ratelimit-reset'] ?? '1' });
    const result = this.route(url);
    return send(result.status, result.body, limits.headers);
  }

  private token(req: IncomingMessage, form: URLSearchParams, send: (status: number, payload: unknown) => void): void {
    const basic = /^basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = Buffer.from(basic ?? '', 'base64').toString().split(':');
    if (id !== this.options.clientId || secret !== this.options.clientSecret) return send(401, { message: 'Unauthorized', error: 401 });
    const grant = form.get('grant_type');
    if (grant === 'password') {
      if (form.get('username') !== this.options.username || form.get('password') !== this.options.password) {
        return send(200, { error: 'invalid_grant' });
      }
    } else if (grant !== 'client_credentials') {
      return send(200, { error: 'unsupported_grant_type' });
    }
    this.tokenCounter += 1;
    const value = `fake-token-${this.tokenCounter}`;
    this.tokens.set(value, { clientId: id, expiresAt: this.now() + this.options.tokenTtlSeconds * 1000 });
    send(200, { access_token: value, token_type: 'bearer', expires_in: this.options.tokenTtlSeconds, scope: '*' });
  }

  private countRequest(clientId: string): { exceeded: boolean; headers: Record<string, string> } {
    const windowMs = this.options.rateLimit.windowSeconds * 1000;
    const now = this.now();
    const window = Math.floor(now / windowMs);
    const usage = this.usage.get(clientId);
    const current = usage && usage.window === window ? usage : { window, used: 0 };
    current.used += 1;
    this.usage.set(clientId, current);
    const remaining = Math.max(0, this.options.rateLimit.budget - current.used);
    const reset = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    return {
      exceeded: current.used > this.options.rateLimit.budget,
      headers: { 'x-ratelimit-used': String(current.used), 'x-ratelimit-remaining': remaining.toFixed(1), 'x-ratelimit-reset': String(reset) },
    };
  }

  private route(url: URL): { status: number; body: unknown } {
    const listingMatch = /^\/r\/([A-Za-z0-9_]+)\/(new|hot|top|rising|controversial)\/?(?:\.json)?$/.exec(url.pathname);
    if (listingMatch) {
      const posts = this.posts.get((listingMatch[1] ?? '').toLowerCase());
      if (!posts) return { status: 404, body: { message: 'Not Found', error: 404 } };
      const ordered = orderPosts(posts, listingMatch[2] ?? 'new', url.searchParams.get('t'), this.now() / 1000, this.options.listingCeiling);
      return { status: 200, body: pageOf(ordered, url.searchParams) };
    }
    const commentsMatch = /^\/comments\/([a-z0-9]+)\/?/i.exec(url.pathname);
    if (commentsMatch) {
      const tree = this.tree(commentsMatch[1] ?? '');
      if (!tree) return { status: 404, body: { message: 'Not Found', error: 404 } };
      return { status: 200, body: [{ kind: 'Listing', data: { after: null, before: null, dist: 1, children: [{ kind: 't3', data: tree.post }] } }, tree.render()] };
    }
    if (url.pathname === '/api/morechildren') {
      const tree = this.tree((url.searchParams.get('link_id') ?? '').replace(/^t3_/, ''));
      if (!tree) return { status: 200, body: { json: { errors: [['INVALID_LINK', 'unknown link_id', 'link_id']] } } };
      const ids = (url.searchParams.get('children') ?? '').split(',').filter(Boolean).slice(0, 100);
      return { status: 200, body: { json: { errors: [], data: { things: tree.expand(ids) } } } };
    }
    return { status: 404, body: { message: 'Not Found', error: 404 } };
  }

  private tree(postId: string): CommentTree | undefined {
    const post = [...this.posts.values()].flat().find((p) => p.id === postId);
    if (!post) return undefined;
    let comments = this.comments.get(postId);
    if (!comments) {
      comments = generateComments(post, { count: typeof post.num_comments === 'number' ? post.num_comments : 0 });
      this.comments.set(postId, comments);
    }
    return new CommentTree(post, comments, this.options.inlineComments);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

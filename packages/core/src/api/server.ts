import { isIP } from 'node:net';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../errors.js';
import { countActiveApiTokens } from '../store/api-tokens.js';
import { createApiApp, type ApiAppOptions } from './app.js';

/** Options of {@link startApiServer}: the app's options plus where to listen. */
export interface ApiServerOptions extends ApiAppOptions {
  /** Address to bind (default 127.0.0.1). Anything but loopback requires `auth.required`. */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
}

/** A listening API server. */
export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops accepting connections, closes open ones and waits for the server to close. */
  close(): Promise<void>;
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/**
 * Checks the auth settings for an address: a non-loopback address needs `auth.required`, and auth needs at
 * least one active token. Throws a ValidationError saying what to do.
 */
export async function assertAuthConfiguration(options: Pick<ApiServerOptions, 'db' | 'auth'>, host: string): Promise<void> {
  if (!isLoopbackHost(host) && !options.auth.required) {
    throw new ValidationError(
      `refusing to serve the API on ${host} without auth: create a token with 'sluice tokens create --name <name> --role admin' and start with --auth (or bind 127.0.0.1)`,
      'host',
    );
  }
  if (options.auth.required && (await countActiveApiTokens(options.db.knex)) === 0) {
    throw new ValidationError(`--auth needs at least one token: create one with 'sluice tokens create --name <name> --role admin'`, 'auth');
  }
}

/**
 * Starts the HTTP server for {@link createApiApp} on `host:port` after {@link assertAuthConfiguration}.
 * Resolves once listening; rejects when the address is taken or refused.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  await assertAuthConfiguration(options, host);
  const app = createApiApp(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8080 }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      return closing;
    },
  };
}

import { z } from 'zod';
import type { Connection } from '../connections/types.js';
import { ConnectionError, ValidationError } from '../errors.js';
import type { NotificationKind, Notifier } from '../authoring/task.js';
import { resolveConnectionExtra } from '../plugins/hook.js';
import { baseUrlFromConnection, basicAuthorization, postJson } from './http.js';

/** Options of {@link webhookNotifier}; give exactly one of `connId` and `url`. */
export interface WebhookNotifierOptions {
  /**
   * Connection holding the endpoint: type `http`/`https` with `host` (a host name or a full URL), `port`
   * and `schema` (a path; `http`/`https` there is read as the scheme, as in Airflow), or any type with
   * `extra.url`. `login`/`password` become Basic auth; `extra.headers` are added to every request.
   */
  connId?: string;
  /** The endpoint itself, when no connection is used. Credentials in it are sent as Basic auth. */
  url?: string;
  /** Event kinds to send; all when omitted. */
  on?: readonly NotificationKind[];
  /** Extra request headers (e.g. a bearer token); never printed. */
  headers?: Record<string, string>;
  /** Give up on a request after this long. Default 10s. */
  timeoutMs?: number;
}

const webhookExtraSchema = z.looseObject({
  url: z.url().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** Where a request goes and the headers it carries. */
export interface WebhookEndpoint {
  url: URL;
  headers: Record<string, string>;
}

/**
 * Reads a webhook endpoint from an `http`/`https` connection (or any connection with `extra.url`).
 * Throws {@link ConnectionError} naming the connection when it holds no usable URL.
 */
export async function webhookEndpointFromConnection(connection: Connection): Promise<WebhookEndpoint> {
  const extra = await resolveConnectionExtra(connection, webhookExtraSchema);
  const hasCredentials = connection.login !== undefined || connection.password !== undefined;
  const headers: Record<string, string> = {
    ...(hasCredentials ? basicAuthorization(connection.login ?? '', connection.password ?? '') : {}),
    ...extra.headers,
  };
  if (extra.url) return { url: new URL(extra.url), headers };
  const type = connection.type.toLowerCase();
  if (type !== 'http' && type !== 'https') {
    throw new ConnectionError(
      `connection '${connection.id}': a webhook needs a connection of type 'http' or 'https', or 'extra.url' (got type '${connection.type}')`,
    );
  }
  let url: URL | undefined;
  try {
    url = baseUrlFromConnection(connection, type, { schemaAsPath: true });
  } catch (error) {
    throw new ConnectionError(`connection '${connection.id}': 'host' is not a valid host or URL`, { cause: error });
  }
  if (!url) throw new ConnectionError(`connection '${connection.id}': a webhook connection needs 'host' or 'extra.url'`);
  return { url, headers };
}

/** Checks a notifier's `connId`/`url` pair at definition time, so a bad DAG file fails when imported. */
export function requireOneTarget(notifier: string, connId: string | undefined, url: string | undefined): void {
  if ((connId === undefined) === (url === undefined)) {
    throw new ValidationError(`${notifier} notifier: give exactly one of 'connId' and the URL`, 'connId');
  }
  if (url !== undefined && !URL.canParse(url)) {
    // The URL itself is not printed: it may carry a token.
    throw new ValidationError(`${notifier} notifier: the URL is not a valid absolute URL`, 'url');
  }
}

/**
 * A notifier that POSTs each {@link NotificationEvent} as JSON (dates as ISO strings) to a webhook.
 * A non-2xx answer, a timeout or a network failure rejects with a `NotificationDeliveryError` whose
 * message holds the status and the receiver's origin, never its path, credentials or the headers.
 *
 * ```ts
 * dag({ id: 'etl', notifiers: [webhookNotifier({ connId: 'alerts_webhook', on: ['failure'] })] });
 * ```
 */
export function webhookNotifier(options: WebhookNotifierOptions): Notifier {
  requireOneTarget('webhook', options.connId, options.url);
  const name = options.connId ? `webhook:${options.connId}` : 'webhook';
  return {
    name,
    ...(options.on ? { on: [...options.on] } : {}),
    async notify(event, context) {
      const endpoint: WebhookEndpoint = options.connId
        ? await webhookEndpointFromConnection(await context.getConnection(options.connId))
        : { url: new URL(options.url ?? ''), headers: {} };
      await postJson(endpoint.url, event, {
        notifier: name,
        headers: { ...endpoint.headers, ...options.headers },
        timeoutMs: options.timeoutMs,
        signal: context.signal,
      });
    },
  };
}

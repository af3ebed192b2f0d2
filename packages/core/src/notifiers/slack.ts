import { z } from 'zod';
import type { Connection } from '../connections/types.js';
import { ConnectionError } from '../errors.js';
import type { NotificationEvent, NotificationKind, Notifier } from '../authoring/task.js';
import { resolveConnectionExtra } from '../plugins/hook.js';
import { baseUrlFromConnection, joinPath, postJson } from './http.js';
import { requireOneTarget } from './webhook.js';

/** Options of {@link slackNotifier}; give exactly one of `connId` and `webhookUrl`. */
export interface SlackNotifierOptions {
  /**
   * Connection holding the incoming-webhook URL, in any of Airflow's spellings: `extra.webhook_url`
   * (or `extra.url`); a full URL in `password`; or `host` (default `https://hooks.slack.com/services`)
   * plus the webhook token (`T…/B…/…`) in `password`.
   */
  connId?: string;
  /** The incoming-webhook URL itself. Its path is a secret and is never printed. */
  webhookUrl?: string;
  /** Event kinds to send; all when omitted. */
  on?: readonly NotificationKind[];
  /** Channel override (only honoured by legacy webhooks). */
  channel?: string;
  /** Sender name override (only honoured by legacy webhooks). */
  username?: string;
  /** Give up on a request after this long. Default 10s. */
  timeoutMs?: number;
}

const SLACK_DEFAULT_BASE = 'https://hooks.slack.com/services';
/** Longest error text shown in a message; Slack caps a section's text at 3000 characters. */
const ERROR_SNIPPET_LENGTH = 1500;

const slackExtraSchema = z.looseObject({
  webhook_url: z.url().optional(),
  url: z.url().optional(),
});

/** Reads the incoming-webhook URL from a connection (see {@link SlackNotifierOptions.connId}). */
export async function slackWebhookUrlFromConnection(connection: Connection): Promise<URL> {
  const extra = await resolveConnectionExtra(connection, slackExtraSchema);
  const fromExtra = extra.webhook_url ?? extra.url;
  if (fromExtra) return new URL(fromExtra);
  const token = connection.password?.trim();
  if (token && URL.canParse(token) && /^https?:/i.test(token)) return new URL(token);
  let base: URL | undefined;
  try {
    base = baseUrlFromConnection(connection, 'https') ?? new URL(SLACK_DEFAULT_BASE);
  } catch (error) {
    throw new ConnectionError(`connection '${connection.id}': 'host' is not a valid host or URL`, { cause: error });
  }
  if (!token && !connection.host) {
    throw new ConnectionError(
      `connection '${connection.id}': a Slack connection needs 'extra.webhook_url', or the webhook token in 'password'`,
    );
  }
  if (token) base.pathname = joinPath(base.pathname, token);
  return base;
}

/** State of the task instance an event reports, in Sluice's state names. */
export function stateOfEvent(kind: NotificationKind): string {
  switch (kind) {
    case 'failure':
      return 'failed';
    case 'retry':
      return 'up_for_retry';
    case 'success':
      return 'success';
    case 'sla_miss':
      return 'sla_miss';
  }
}

const HEADLINES: Record<NotificationKind, string> = {
  failure: ':red_circle: Task failed',
  retry: ':large_orange_circle: Task up for retry',
  success: ':large_green_circle: Task succeeded',
  sla_miss: ':hourglass: SLA missed',
};

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A Slack Block Kit message for an event: a `text` fallback plus `blocks`. */
export function slackMessage(event: NotificationEvent): { text: string; blocks: unknown[] } {
  const taskLabel = event.taskId
    ? `${event.taskId}${event.mapIndex !== undefined && event.mapIndex >= 0 ? `[${event.mapIndex}]` : ''}`
    : undefined;
  const subject = taskLabel ? `${event.dagId}.${taskLabel}` : event.dagId;
  const tryPart = event.tryNumber !== undefined ? `, try ${event.tryNumber}` : '';
  const text = `${HEADLINES[event.kind]}: ${subject} (run ${event.runId}${tryPart})`;
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${escapeMrkdwn(value)}` });
  const fields = [
    field('DAG', event.dagId),
    field('Task', taskLabel ?? '—'),
    field('Run', event.runId),
    field('Try', event.tryNumber !== undefined ? String(event.tryNumber) : '—'),
    field('State', stateOfEvent(event.kind)),
    field('Logical date', event.logicalDate.toISOString()),
  ];
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(text)}*` } },
    { type: 'section', fields },
  ];
  if (event.error) {
    const snippet = truncate(event.error.replace(/```/g, "'''"), ERROR_SNIPPET_LENGTH);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Error*\n\`\`\`${escapeMrkdwn(snippet)}\`\`\`` } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Sluice · ${event.at.toISOString()}` }] });
  return { text, blocks };
}

/**
 * A notifier that posts to a Slack incoming webhook: a `text` line (used by notifications and clients
 * without blocks) and `blocks` with the DAG, task, run, try, state, logical date and an error snippet.
 *
 * ```ts
 * slackNotifier({ connId: 'slack_alerts', on: ['failure', 'sla_miss'] });
 * ```
 */
export function slackNotifier(options: SlackNotifierOptions): Notifier {
  requireOneTarget('slack', options.connId, options.webhookUrl);
  const name = options.connId ? `slack:${options.connId}` : 'slack';
  return {
    name,
    ...(options.on ? { on: [...options.on] } : {}),
    async notify(event, context) {
      const url = options.connId
        ? await slackWebhookUrlFromConnection(await context.getConnection(options.connId))
        : new URL(options.webhookUrl ?? '');
      const body = {
        ...slackMessage(event),
        ...(options.channel ? { channel: options.channel } : {}),
        ...(options.username ? { username: options.username } : {}),
      };
      await postJson(url, body, { notifier: name, timeoutMs: options.timeoutMs, signal: context.signal });
    },
  };
}

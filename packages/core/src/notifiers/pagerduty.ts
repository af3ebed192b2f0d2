import { z } from 'zod';
import type { Connection } from '../connections/types.js';
import { ConnectionError, ValidationError } from '../errors.js';
import type { NotificationEvent, NotificationKind, Notifier } from '../authoring/task.js';
import { resolveConnectionExtra } from '../plugins/hook.js';
import { baseUrlFromConnection, joinPath, postJson } from './http.js';

/** PagerDuty's severities, most severe first. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** Options of {@link pagerDutyNotifier}. */
export interface PagerDutyNotifierOptions {
  /**
   * Connection holding the integration's routing key in `password` (or `extra.routing_key`). Its `host`
   * (a host name or a full URL, plus `port`) replaces `https://events.pagerduty.com`, for proxies and tests.
   */
  connId: string;
  /**
   * Event kinds to send; all when omitted. `success` events resolve the incident a failure opened, so
   * `['failure', 'success']` pages once per failed task and closes the page when a later try succeeds.
   */
  on?: readonly NotificationKind[];
  /** Severity of triggered incidents. Default: `error` for failures, `warning` for retries and SLA misses. */
  severity?: PagerDutySeverity;
  /** Give up on a request after this long. Default 10s. */
  timeoutMs?: number;
}

/** The Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** PagerDuty rejects summaries longer than this. */
const SUMMARY_MAX_LENGTH = 1024;

const pagerDutyExtraSchema = z.looseObject({ routing_key: z.string().min(1).optional() });

/** Where and with which routing key events for a connection are sent. */
export interface PagerDutyTarget {
  url: URL;
  routingKey: string;
}

/** Reads the routing key and the endpoint from a connection (see {@link PagerDutyNotifierOptions.connId}). */
export async function pagerDutyTargetFromConnection(connection: Connection): Promise<PagerDutyTarget> {
  const extra = await resolveConnectionExtra(connection, pagerDutyExtraSchema);
  const routingKey = connection.password || extra.routing_key;
  if (!routingKey) {
    throw new ConnectionError(
      `connection '${connection.id}': a PagerDuty connection needs the routing key in 'password' or 'extra.routing_key'`,
    );
  }
  let base: URL | undefined;
  try {
    base = baseUrlFromConnection(connection, 'https');
  } catch (error) {
    throw new ConnectionError(`connection '${connection.id}': 'host' is not a valid host or URL`, { cause: error });
  }
  if (!base) return { url: new URL(PAGERDUTY_EVENTS_URL), routingKey };
  base.pathname = joinPath(base.pathname, 'v2/enqueue');
  return { url: base, routingKey };
}

/** The dedup key shared by the trigger and the resolve of one task instance's incident. */
export function pagerDutyDedupKey(event: Pick<NotificationEvent, 'dagId' | 'runId' | 'taskId'>): string {
  return `${event.dagId}/${event.runId}/${event.taskId ?? ''}`;
}

function defaultSeverity(kind: NotificationKind): PagerDutySeverity {
  return kind === 'failure' ? 'error' : kind === 'success' ? 'info' : 'warning';
}

function summaryOf(event: NotificationEvent): string {
  const what =
    event.kind === 'failure'
      ? 'failed'
      : event.kind === 'retry'
        ? 'is up for retry'
        : event.kind === 'sla_miss'
          ? 'missed its SLA'
          : 'succeeded';
  const subject = event.taskId ? `task ${event.dagId}.${event.taskId}` : `DAG ${event.dagId}`;
  const tryPart = event.tryNumber !== undefined ? `, try ${event.tryNumber}` : '';
  const summary = `Sluice ${subject} ${what} (run ${event.runId}${tryPart})${event.error ? `: ${event.error}` : ''}`;
  return summary.length <= SUMMARY_MAX_LENGTH ? summary : `${summary.slice(0, SUMMARY_MAX_LENGTH - 1)}…`;
}

/**
 * The Events API v2 body for an event: `trigger` for failures, retries and SLA misses, `resolve` (same
 * dedup key) for successes.
 */
export function pagerDutyEventBody(
  event: NotificationEvent,
  routingKey: string,
  severity?: PagerDutySeverity,
): Record<string, unknown> {
  const dedupKey = pagerDutyDedupKey(event);
  if (event.kind === 'success') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: summaryOf(event),
      source: 'sluice',
      severity: severity ?? defaultSeverity(event.kind),
      timestamp: event.at.toISOString(),
      component: event.dagId,
      ...(event.taskId !== undefined ? { group: event.taskId } : {}),
      custom_details: {
        kind: event.kind,
        dag_id: event.dagId,
        run_id: event.runId,
        task_id: event.taskId,
        map_index: event.mapIndex,
        try_number: event.tryNumber,
        logical_date: event.logicalDate.toISOString(),
        error: event.error,
      },
    },
  };
}

/**
 * A notifier that opens (and resolves) PagerDuty incidents through the Events API v2. PagerDuty answers
 * 202 when it accepted an event; an answer outside 2xx rejects with a `NotificationDeliveryError` naming the
 * status, never the routing key.
 *
 * ```ts
 * pagerDutyNotifier({ connId: 'pagerduty_oncall', on: ['failure', 'success'], severity: 'critical' });
 * ```
 */
export function pagerDutyNotifier(options: PagerDutyNotifierOptions): Notifier {
  if (!options.connId) throw new ValidationError('pagerduty notifier: connId is required', 'connId');
  const name = `pagerduty:${options.connId}`;
  return {
    name,
    ...(options.on ? { on: [...options.on] } : {}),
    async notify(event, context) {
      const target = await pagerDutyTargetFromConnection(await context.getConnection(options.connId));
      await postJson(target.url, pagerDutyEventBody(event, target.routingKey, options.severity), {
        notifier: name,
        timeoutMs: options.timeoutMs,
        signal: context.signal,
      });
    },
  };
}

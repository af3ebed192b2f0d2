/**
 * Notifiers: failure alerting through webhooks, Slack and PagerDuty, and the dispatcher that sends an
 * event to the notifiers that want it without ever failing a task.
 * @module
 */
export { webhookNotifier, webhookEndpointFromConnection, type WebhookNotifierOptions, type WebhookEndpoint } from './webhook.js';
export { slackNotifier, slackMessage, slackWebhookUrlFromConnection, type SlackNotifierOptions } from './slack.js';
export {
  pagerDutyNotifier,
  pagerDutyEventBody,
  pagerDutyDedupKey,
  pagerDutyTargetFromConnection,
  PAGERDUTY_EVENTS_URL,
  type PagerDutyNotifierOptions,
  type PagerDutySeverity,
  type PagerDutyTarget,
} from './pagerduty.js';
export {
  dispatchNotification,
  createNotificationEvent,
  wantsNotification,
  DEFAULT_DISPATCH_TIMEOUT_MS,
  type DispatchOptions,
  type NotificationEventInput,
} from './dispatch.js';
export { NotificationDeliveryError, DEFAULT_NOTIFIER_TIMEOUT_MS } from './http.js';

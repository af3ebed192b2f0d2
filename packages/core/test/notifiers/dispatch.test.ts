import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationEvent, dispatchNotification } from '../../src/notifiers/dispatch.js';
import { webhookNotifier } from '../../src/notifiers/webhook.js';
import { slackNotifier } from '../../src/notifiers/slack.js';
import { pagerDutyNotifier } from '../../src/notifiers/pagerduty.js';
import type { NotificationKind, Notifier } from '../../src/authoring/task.js';
import { FailNowError } from '../../src/errors.js';
import type { MemoryLogger } from '../../src/logger.js';
import { Receiver, failureEvent, notifierContext } from './receiver.js';

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());
afterEach(() => receiver.reset());

const SLACK_TOKEN = 'T9/B9/xoxSlackPathSecret';
const ROUTING_KEY = 'pdRoutingKeySecret0123456789abcd';

function fullContext() {
  return notifierContext([
    { id: 'slack', type: 'slackwebhook', host: `${receiver.url}/slack`, password: SLACK_TOKEN, extra: {} },
    { id: 'pd', type: 'pagerduty', host: `${receiver.url}/pd`, password: ROUTING_KEY, extra: {} },
    { id: 'hook', type: 'http', host: `${receiver.url}/hook`, login: 'user', password: 'hookPassSecret', extra: {} },
  ]);
}

function recording(name: string, on?: NotificationKind[]): Notifier & { calls: NotificationKind[] } {
  const calls: NotificationKind[] = [];
  return { name, ...(on ? { on } : {}), calls, notify: async (event) => void calls.push(event.kind) };
}

function warnings(log: MemoryLogger): string[] {
  return log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
}

describe('dispatchNotification', () => {
  it('sends to the notifiers whose `on` includes the kind, and to those without `on`', async () => {
    const all = recording('all');
    const failures = recording('failures', ['failure']);
    const successes = recording('successes', ['success']);
    const context = notifierContext();
    await dispatchNotification([all, failures, successes], failureEvent(), context);
    await dispatchNotification([all, failures, successes], failureEvent({ kind: 'retry' }), context);
    expect(all.calls).toEqual(['failure', 'retry']);
    expect(failures.calls).toEqual(['failure']);
    expect(successes.calls).toEqual([]);
    expect(context.log.lines).toEqual([]);
  });

  it('runs notifiers in parallel', async () => {
    let started = 0;
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    const waiter = (name: string): Notifier => ({
      name,
      notify: async () => {
        started += 1;
        if (started === 2) release();
        await bothStarted;
      },
    });
    const context = notifierContext();
    await dispatchNotification([waiter('a'), waiter('b')], failureEvent(), context, { timeoutMs: 2_000 });
    expect(started).toBe(2);
    expect(context.log.lines).toEqual([]);
  });

  it('delivers every kind of notifier to a real receiver', async () => {
    receiver.answer('/pd', { status: 202 });
    const notifiers = [webhookNotifier({ connId: 'hook' }), slackNotifier({ connId: 'slack' }), pagerDutyNotifier({ connId: 'pd' })];
    const context = fullContext();
    await dispatchNotification(notifiers, failureEvent(), context);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/hook', '/pd/v2/enqueue', `/slack/${SLACK_TOKEN}`]);
    expect(context.log.lines).toEqual([]);
  });

  it('logs a warning and throws nothing when receivers answer 500, with no secret in the log', async () => {
    receiver.answer('/', { status: 500 });
    const notifiers = [webhookNotifier({ connId: 'hook' }), slackNotifier({ connId: 'slack' }), pagerDutyNotifier({ connId: 'pd' })];
    const context = fullContext();
    await expect(dispatchNotification(notifiers, failureEvent(), context)).resolves.toBeUndefined();
    const messages = warnings(context.log);
    expect(messages).toHaveLength(3);
    for (const name of ['webhook:hook', 'slack:slack', 'pagerduty:pd']) {
      expect(messages.some((m) => m.startsWith(`notifier ${name} failed to send failure of etl/`) && m.includes('500'))).toBe(true);
    }
    const logged = JSON.stringify(context.log.lines);
    for (const secret of ['xoxSlackPathSecret', 'B9', ROUTING_KEY, 'hookPassSecret', Buffer.from('user:hookPassSecret').toString('base64')]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('abandons a hanging receiver after the timeout, logs it, and still sends to the others', async () => {
    receiver.answer('/slow', 'hang');
    const fast = recording('fast');
    const context = notifierContext();
    const started = Date.now();
    await dispatchNotification([webhookNotifier({ url: `${receiver.url}/slow/abc` }), fast], failureEvent(), context, { timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fast.calls).toEqual(['failure']);
    expect(warnings(context.log)).toEqual([expect.stringMatching(/^notifier webhook failed .*(timed out|cancelled)/)]);
    expect(warnings(context.log)[0]).not.toContain('/slow/abc');
  });

  it('bounds a notifier that ignores its signal, and aborts that signal', async () => {
    let signal: AbortSignal | undefined;
    const stuck: Notifier = { name: 'stuck', notify: (_event, ctx) => ((signal = ctx.signal), new Promise(() => undefined)) };
    const context = notifierContext();
    await dispatchNotification([stuck], failureEvent(), context, { timeoutMs: 50 });
    expect(signal?.aborted).toBe(true);
    expect(warnings(context.log)).toEqual([expect.stringContaining('notifier stuck failed to send failure of etl/scheduled__2026-01-01T00:00:00Z/extract: timed out after 50ms')]);
  });

  it('logs notifiers that throw synchronously, reject later, or miss their connection; URLs are cut to their origin', async () => {
    const throwing: Notifier = { name: 'sync', notify: () => { throw new Error('sync boom'); } };
    const rejecting: Notifier = { name: 'leaky', notify: async () => { throw new FailNowError('bad https://u:p@hooks.example.com/secret/path?token=1'); } };
    const context = notifierContext();
    await dispatchNotification([throwing, rejecting, slackNotifier({ connId: 'missing' })], failureEvent(), context);
    const messages = warnings(context.log);
    expect(messages).toHaveLength(3);
    expect(messages.find((m) => m.includes('sync'))).toContain('sync boom');
    expect(messages.find((m) => m.includes('leaky'))).toContain('bad https://hooks.example.com');
    expect(JSON.stringify(context.log.lines)).not.toMatch(/secret\/path|token=1|u:p@/);
    expect(messages.find((m) => m.includes('slack:missing'))).toContain("connection 'missing' not found");
    expect(context.log.lines.find((l) => l.message.includes('leaky'))?.fields).toMatchObject({ notifier: 'leaky', errorName: 'FailNowError' });
  });

  it('passes cancellation on: an aborted context signal ends the sends early', async () => {
    receiver.answer('/slow', 'hang');
    const controller = new AbortController();
    const context = { ...notifierContext(), signal: controller.signal };
    const sending = dispatchNotification([webhookNotifier({ url: `${receiver.url}/slow` })], failureEvent(), context);
    setTimeout(() => controller.abort(), 50);
    await sending;
    expect(warnings(context.log)).toEqual([expect.stringContaining('was cancelled')]);
  });
});

describe('createNotificationEvent', () => {
  const base = { dagId: 'etl', runId: 'r1', logicalDate: new Date('2026-01-01T00:00:00Z') };

  it('keeps only the error message, named when it is not a plain Error', () => {
    const at = new Date('2026-01-01T01:00:00Z');
    const event = createNotificationEvent('failure', { ...base, taskId: 't', mapIndex: -1, tryNumber: 1, error: new FailNowError('nope'), at });
    expect(event).toEqual({ kind: 'failure', ...base, taskId: 't', tryNumber: 1, error: 'FailNowError: nope', at });
    expect(createNotificationEvent('failure', { ...base, error: new Error('plain') }).error).toBe('plain');
    expect(createNotificationEvent('failure', { ...base, error: 'text' }).error).toBe('text');
    expect(createNotificationEvent('retry', { ...base, mapIndex: 2 }).mapIndex).toBe(2);
  });

  it('caps long messages and stamps the time', () => {
    const event = createNotificationEvent('failure', { ...base, error: 'e'.repeat(10_000) });
    expect(event.error).toHaveLength(4000);
    expect(event.at).toBeInstanceOf(Date);
    expect(event).not.toHaveProperty('taskId');
  });
});

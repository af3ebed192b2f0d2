import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PAGERDUTY_EVENTS_URL, pagerDutyNotifier, pagerDutyTargetFromConnection } from '../../src/notifiers/pagerduty.js';
import { ValidationError } from '../../src/errors.js';
import { Receiver, failureEvent, notifierContext } from './receiver.js';

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());
afterEach(() => receiver.reset());

const ROUTING_KEY = 'R0UTINGKEY0123456789abcdefABCDEF';

function context() {
  return notifierContext([
    { id: 'pd', type: 'pagerduty', host: receiver.url, password: ROUTING_KEY, extra: {} },
    { id: 'pd_extra', type: 'pagerduty', host: 'http://127.0.0.1', port: receiver.portNumber, extra: { routing_key: 'extra-key' } },
  ]);
}

describe('pagerDutyNotifier', () => {
  it('triggers an incident through the Events API v2 with a dedup key per task instance', async () => {
    receiver.answer('/v2/enqueue', { status: 202 });
    await pagerDutyNotifier({ connId: 'pd' }).notify(failureEvent(), context());
    const request = receiver.requests[0];
    expect(request?.path).toBe('/v2/enqueue');
    expect(request?.body).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'etl/scheduled__2026-01-01T00:00:00Z/extract',
      payload: {
        summary: 'Sluice task etl.extract failed (run scheduled__2026-01-01T00:00:00Z, try 2): HTTP 503 from api.example.com',
        source: 'sluice',
        severity: 'error',
        timestamp: '2026-01-02T00:05:00.000Z',
        component: 'etl',
        group: 'extract',
        custom_details: {
          kind: 'failure',
          dag_id: 'etl',
          run_id: 'scheduled__2026-01-01T00:00:00Z',
          task_id: 'extract',
          try_number: 2,
          logical_date: '2026-01-01T00:00:00.000Z',
          error: 'HTTP 503 from api.example.com',
        },
      },
    });
  });

  it('resolves on success with the same dedup key as the trigger', async () => {
    receiver.answer('/v2/enqueue', { status: 202 });
    const notifier = pagerDutyNotifier({ connId: 'pd', on: ['failure', 'success'], severity: 'critical' });
    await notifier.notify(failureEvent({ kind: 'retry' }), context());
    await notifier.notify(failureEvent({ kind: 'success', tryNumber: 3, error: undefined }), context());
    const [trigger, resolve] = receiver.requests.map((r) => r.body as Record<string, unknown>);
    expect(trigger?.event_action).toBe('trigger');
    expect((trigger?.payload as Record<string, unknown>).severity).toBe('critical');
    expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: trigger?.dedup_key });
  });

  it('uses a DAG-level dedup key for events without a task, and extra.routing_key with host + port', async () => {
    receiver.answer('/v2/enqueue', { status: 202 });
    await pagerDutyNotifier({ connId: 'pd_extra' }).notify(failureEvent({ kind: 'sla_miss', taskId: undefined }), context());
    const body = receiver.requests[0]?.body as Record<string, unknown>;
    expect(body.routing_key).toBe('extra-key');
    expect(body.dedup_key).toBe('etl/scheduled__2026-01-01T00:00:00Z/');
    expect(body.payload).toMatchObject({ severity: 'warning', component: 'etl' });
    expect(body.payload).not.toHaveProperty('group');
  });

  it('defaults to the public endpoint and requires a routing key', async () => {
    const target = await pagerDutyTargetFromConnection({ id: 'pd', type: 'pagerduty', password: 'k', extra: {} });
    expect(target.url.href).toBe(PAGERDUTY_EVENTS_URL);
    await expect(pagerDutyTargetFromConnection({ id: 'nokey', type: 'pagerduty', extra: {} })).rejects.toThrow(
      /connection 'nokey'.*routing key/,
    );
    expect(() => pagerDutyNotifier({ connId: '' })).toThrow(ValidationError);
  });

  it('rejects an error answer with the status and never the routing key', async () => {
    receiver.answer('/v2/enqueue', { status: 400 });
    const error = (await pagerDutyNotifier({ connId: 'pd' }).notify(failureEvent(), context()).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/pagerduty:pd: POST http:\/\/127\.0\.0\.1:\d+ answered 400/);
    expect(error.message).not.toContain(ROUTING_KEY);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookNotifier } from '../../src/notifiers/webhook.js';
import { NotificationDeliveryError } from '../../src/notifiers/http.js';
import { ConnectionError, ValidationError, isErrorNamed } from '../../src/errors.js';
import { Receiver, failureEvent, notifierContext } from './receiver.js';

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());
afterEach(() => receiver.reset());

describe('webhookNotifier', () => {
  it('POSTs the event as JSON to a literal URL, with the configured headers', async () => {
    const event = failureEvent();
    const notifier = webhookNotifier({ url: `${receiver.url}/hooks/alerts`, headers: { 'x-api-key': 'k-123' } });
    await notifier.notify(event, notifierContext());
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/alerts');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-api-key']).toBe('k-123');
    expect(request?.body).toEqual(JSON.parse(JSON.stringify(event)));
    expect(request?.body).toMatchObject({ kind: 'failure', logicalDate: '2026-01-01T00:00:00.000Z' });
  });

  it('builds the URL from an http connection: host, port, schema as path, login/password as Basic auth', async () => {
    const context = notifierContext([
      { id: 'alerts', type: 'http', host: receiver.host, port: receiver.portNumber, schema: 'hooks/sluice', login: 'bot', password: 'pw', extra: {} },
    ]);
    await webhookNotifier({ connId: 'alerts' }).notify(failureEvent(), context);
    expect(receiver.requests[0]?.path).toBe('/hooks/sluice');
    expect(receiver.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('bot:pw').toString('base64')}`);
  });

  it('accepts a full URL as host, and Airflow\'s scheme-in-schema spelling', async () => {
    const context = notifierContext([
      { id: 'full', type: 'https', host: `${receiver.url}/base`, schema: 'events', extra: {} },
      { id: 'airflow', type: 'http', host: receiver.host, port: receiver.portNumber, schema: 'http', extra: {} },
    ]);
    await webhookNotifier({ connId: 'full' }).notify(failureEvent(), context);
    await webhookNotifier({ connId: 'airflow' }).notify(failureEvent(), context);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/base/events', '/']);
  });

  it('uses extra.url and extra.headers from a connection of any type', async () => {
    const context = notifierContext([
      { id: 'generic', type: 'generic', extra: { url: `${receiver.url}/x`, headers: { 'x-token': 't' } } },
    ]);
    await webhookNotifier({ connId: 'generic' }).notify(failureEvent(), context);
    expect(receiver.requests[0]?.path).toBe('/x');
    expect(receiver.requests[0]?.headers['x-token']).toBe('t');
  });

  it('rejects a non-2xx answer with the status, never the URL credentials, path or secret headers', async () => {
    receiver.answer('/', { status: 500 });
    const url = `http://hook-user:hook-secret@127.0.0.1:${receiver.portNumber}/tok/SECRET-PATH-TOKEN`;
    const notifier = webhookNotifier({ url, headers: { Authorization: 'Bearer HEADER-SECRET' } });
    const error = await notifier.notify(failureEvent(), notifierContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationDeliveryError);
    expect((error as NotificationDeliveryError).status).toBe(500);
    const message = (error as Error).message;
    expect(message).toContain('500');
    expect(message).toContain(`127.0.0.1:${receiver.portNumber}`);
    for (const secret of ['hook-user', 'hook-secret', 'SECRET-PATH-TOKEN', 'HEADER-SECRET']) expect(message).not.toContain(secret);
    // The header given explicitly wins over the URL's credentials.
    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer HEADER-SECRET');
  });

  it('sends URL credentials as Basic auth (fetch refuses them in the URL)', async () => {
    await webhookNotifier({ url: `http://u:p%40ss@127.0.0.1:${receiver.portNumber}/h` }).notify(failureEvent(), notifierContext());
    expect(receiver.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });

  it('gives up after timeoutMs when the receiver hangs', async () => {
    receiver.answer('/slow', 'hang');
    const notifier = webhookNotifier({ url: `${receiver.url}/slow`, timeoutMs: 100 });
    await expect(notifier.notify(failureEvent(), notifierContext())).rejects.toThrow(/timed out after 100ms/);
  });

  it('refuses connections it cannot use, naming the connection', async () => {
    const context = notifierContext([
      { id: 'pg', type: 'postgres', host: 'db', extra: {} },
      { id: 'nohost', type: 'http', extra: {} },
      { id: 'badextra', type: 'http', extra: { url: 42 } },
    ]);
    const failure = (connId: string) => webhookNotifier({ connId }).notify(failureEvent(), context).catch((e: unknown) => e);
    const [pg, nohost, badextra] = await Promise.all([failure('pg'), failure('nohost'), failure('badextra')]);
    expect(pg).toBeInstanceOf(ConnectionError);
    expect((pg as Error).message).toMatch(/connection 'pg'.*'http' or 'https'/);
    expect((nohost as Error).message).toMatch(/connection 'nohost'.*'host'/);
    expect(isErrorNamed(badextra, 'ConnectionError')).toBe(true);
    expect((badextra as Error).message).toMatch(/connection 'badextra': extra field 'url'/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('validates its options when created, without printing the URL', () => {
    expect(() => webhookNotifier({})).toThrow(ValidationError);
    expect(() => webhookNotifier({ connId: 'a', url: 'http://x' })).toThrow(/exactly one/);
    let message = '';
    try {
      webhookNotifier({ url: 'not a url with secret-xyz' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/not a valid absolute URL/);
    expect(message).not.toContain('secret-xyz');
  });

  it('keeps its `on` filter and a name naming the connection', () => {
    const notifier = webhookNotifier({ connId: 'alerts', on: ['failure'] });
    expect(notifier.name).toBe('webhook:alerts');
    expect(notifier.on).toEqual(['failure']);
    expect(webhookNotifier({ url: 'http://x' }).on).toBeUndefined();
  });
});

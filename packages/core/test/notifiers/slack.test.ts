import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slackMessage, slackNotifier } from '../../src/notifiers/slack.js';
import { Receiver, failureEvent, notifierContext } from './receiver.js';

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());
afterEach(() => receiver.reset());

const TOKEN = 'T0001/B0002/slackSecretToken123';

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[];
  channel?: string;
  username?: string;
}

describe('slackNotifier', () => {
  it('posts text and blocks with DAG, task, run, try, state, logical date and the error', async () => {
    const notifier = slackNotifier({ webhookUrl: `${receiver.url}/services/${TOKEN}`, channel: '#data', username: 'sluice' });
    await notifier.notify(failureEvent({ error: 'boom <script> & more' }), notifierContext());
    const request = receiver.requests[0];
    expect(request?.path).toBe(`/services/${TOKEN}`);
    const body = request?.body as SlackBody;
    expect(body.text).toBe(':red_circle: Task failed: etl.extract (run scheduled__2026-01-01T00:00:00Z, try 2)');
    expect(body.channel).toBe('#data');
    expect(body.username).toBe('sluice');
    const fields = body.blocks.flatMap((b) => b.fields ?? []).map((f) => f.text);
    expect(fields).toEqual([
      '*DAG*\netl',
      '*Task*\nextract',
      '*Run*\nscheduled__2026-01-01T00:00:00Z',
      '*Try*\n2',
      '*State*\nfailed',
      '*Logical date*\n2026-01-01T00:00:00.000Z',
    ]);
    const errorBlock = body.blocks.find((b) => b.text?.text.startsWith('*Error*'));
    expect(errorBlock?.text?.text).toBe('*Error*\n```boom &lt;script&gt; &amp; more```');
  });

  it('describes retries, successes and mapped tasks, and leaves the error block out when there is none', () => {
    const retry = slackMessage(failureEvent({ kind: 'retry', mapIndex: 3 }));
    expect(retry.text).toContain('Task up for retry: etl.extract[3]');
    expect(JSON.stringify(retry.blocks)).toContain('up_for_retry');
    const success = slackMessage(failureEvent({ kind: 'success', error: undefined }));
    expect(success.text).toContain('Task succeeded');
    expect(JSON.stringify(success.blocks)).not.toContain('*Error*');
  });

  it('truncates a long error to a snippet', () => {
    const message = slackMessage(failureEvent({ error: 'x'.repeat(10_000) }));
    const errorText = (message.blocks as SlackBody['blocks']).find((b) => b.text?.text.startsWith('*Error*'))?.text?.text ?? '';
    expect(errorText.length).toBeLessThan(3000);
    expect(errorText).toContain('…');
  });

  it('reads the webhook from a connection: host plus token in password, a URL in password, or extra.webhook_url', async () => {
    const context = notifierContext([
      { id: 'slack_token', type: 'slackwebhook', host: `${receiver.url}/services`, password: TOKEN, extra: {} },
      { id: 'slack_url', type: 'slackwebhook', password: `${receiver.url}/hooks/in-password`, extra: {} },
      { id: 'slack_extra', type: 'slackwebhook', extra: { webhook_url: `${receiver.url}/hooks/in-extra` } },
    ]);
    for (const connId of ['slack_token', 'slack_url', 'slack_extra']) {
      await slackNotifier({ connId }).notify(failureEvent(), context);
    }
    expect(receiver.requests.map((r) => r.path)).toEqual([`/services/${TOKEN}`, '/hooks/in-password', '/hooks/in-extra']);
  });

  it('refuses a connection with neither a token nor a URL', async () => {
    const context = notifierContext([{ id: 'empty', type: 'slackwebhook', extra: {} }]);
    await expect(slackNotifier({ connId: 'empty' }).notify(failureEvent(), context)).rejects.toThrow(
      /connection 'empty'.*webhook_url/,
    );
  });

  it('rejects a non-2xx answer without printing the webhook token', async () => {
    receiver.answer('/services', { status: 403 });
    const context = notifierContext([{ id: 'slack', type: 'slackwebhook', host: `${receiver.url}/services`, password: TOKEN, extra: {} }]);
    const error = (await slackNotifier({ connId: 'slack' }).notify(failureEvent(), context).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/slack:slack: POST http:\/\/127\.0\.0\.1:\d+ answered 403/);
    expect(error.message).not.toContain('slackSecretToken123');
    expect(error.message).not.toContain('B0002');
  });
});

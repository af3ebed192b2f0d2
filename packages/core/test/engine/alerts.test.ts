import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dag } from '../../src/authoring/dag.js';
import type { NotificationEvent, Notifier } from '../../src/authoring/task.js';
import { ManualClock } from '../../src/clock.js';
import { webhookNotifier } from '../../src/notifiers/webhook.js';
import { triggerDagRun } from '../../src/scheduler/trigger.js';
import { describeEachBackend } from '../../../../test-support/databases.js';
import { drive, makeScheduler, runFinished } from './harness.js';

function recorder(): Notifier & { events: NotificationEvent[] } {
  const events: NotificationEvent[] = [];
  return { name: 'recorder', events, notify: async (e) => void events.push(e) };
}

let server: Server;
let received: unknown[] = [];
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(req.url === '/fail' ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describeEachBackend('alerting', (getDb) => {
  it('notifies retry and failure per task, and a notifier failure never fails the task', async () => {
    received = [];
    const rec = recorder();
    const d = dag({ id: 'alerting_tasks', schedule: null, notifiers: [rec, webhookNotifier({ url: `${url}/fail` })] });
    d.task('broken', { retries: 1, retryDelay: 0, notifiers: [webhookNotifier({ url: `${url}/hook`, on: ['failure'] })] }, async () => {
      throw new Error('disk full');
    });
    d.task('fine', async () => 'ok');
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const run = await triggerDagRun(getDb().knex, d, {}, clock.now());
    const s = makeScheduler(getDb().knex, [d], clock);
    await drive(s, runFinished(getDb().knex, run.pk));
    const kinds = rec.events.map((e) => `${e.kind}:${e.taskId}:${e.tryNumber}`).sort();
    expect(kinds).toEqual(['failure:broken:2', 'retry:broken:1', 'success:fine:1']);
    expect(rec.events.find((e) => e.kind === 'failure')?.error).toBe('Error: disk full');
    const hooks = received.filter((b) => (b as { kind: string }).kind === 'failure' && (b as { taskId: string }).taskId === 'broken');
    expect(hooks.length).toBeGreaterThanOrEqual(1);
    await s.stop(0);
  });

  it('notifies an SLA miss once when a run is not finished in time', async () => {
    const rec = recorder();
    const d = dag({ id: 'alerting_sla', schedule: '@daily', start: '2026-01-01', sla: '2h', notifiers: [rec] });
    d.sensor('wait_for_data', { mode: 'reschedule', pokeInterval: '30m', sensorTimeout: '1d' }, async () => false);
    const clock = new ManualClock('2026-01-02T00:30:00Z');
    const s = makeScheduler(getDb().knex, [d], clock);
    await s.runOnce();
    await s.executor?.idle();
    expect(rec.events.filter((e) => e.kind === 'sla_miss')).toHaveLength(0);
    clock.set('2026-01-02T02:30:00Z');
    await s.runOnce();
    await s.executor?.idle();
    clock.advance(60_000);
    await s.runOnce();
    const misses = rec.events.filter((e) => e.kind === 'sla_miss');
    expect(misses).toHaveLength(1);
    expect(misses[0]?.runId).toBe('scheduled__2026-01-01T00:00:00+00:00');
    await s.stop(0);
  });
});

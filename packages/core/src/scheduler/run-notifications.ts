import type { NotificationEvent, Notifier } from '../authoring/task.js';
import type { Connection } from '../connections/types.js';
import type { Logger } from '../logger.js';
import { dispatchNotification } from '../notifiers/dispatch.js';
import type { RunEvent } from './advance-runs.js';
import type { DagRegistry } from './dag-registry.js';

/** Sends SLA misses to the DAG's notifiers (task-level events are sent by the executor). */
export async function notifyRunEvents(
  events: readonly RunEvent[],
  registry: DagRegistry,
  getConnection: (id: string) => Promise<Connection>,
  now: Date,
  logger: Logger,
): Promise<void> {
  for (const e of events) {
    if (e.kind !== 'sla_miss') continue;
    const dag = registry.get(e.run.dagId);
    const notifiers = (dag?.options.notifiers ?? []) as Notifier[];
    logger.warn('SLA missed', { dagId: e.run.dagId, runId: e.run.runId });
    if (notifiers.length === 0) continue;
    const event: NotificationEvent = { kind: 'sla_miss', dagId: e.run.dagId, runId: e.run.runId, logicalDate: e.run.logicalDate, at: now };
    await dispatchNotification(notifiers, event, { getConnection, log: logger });
  }
}

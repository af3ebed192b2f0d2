import type { TaskContext } from '../../src/authoring/task.js';
import type { Connection } from '../../src/connections/types.js';
import { NotFoundError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { unavailableCatalog } from '../../src/catalog/unavailable.js';

/** A minimal TaskContext: `render` replaces `{{ ds }}`, lookups read the given maps. */
export function fakeTaskContext(
  options: { ds?: string; connections?: Connection[]; variables?: Record<string, string> } = {},
): TaskContext {
  const ds = options.ds ?? '2026-01-01';
  const logicalDate = new Date(`${ds}T00:00:00Z`);
  const connections = new Map((options.connections ?? []).map((c) => [c.id, c]));
  return {
    dagId: 'd',
    runId: 'r',
    taskId: 't',
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: new Date(logicalDate.getTime() + 86_400_000),
    params: {},
    triggeringAssetEvents: [],
    signal: new AbortController().signal,
    log: silentLogger,
    getConnection: async (id) => {
      const connection = connections.get(id);
      if (!connection) throw new NotFoundError(`connection '${id}' not found`);
      return connection;
    },
    getVariable: async (key) => options.variables?.[key],
    render: async (template) => template.replace(/\{\{\s*ds\s*\}\}/g, ds),
    previousOutput: async () => undefined,
    catalog: unavailableCatalog,
    recordAssetEvent: () => undefined,
  };
}

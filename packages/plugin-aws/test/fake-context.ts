/** A TaskContext for calling operators and sensors directly, rendering templates with the core's renderer. */
import { NotFoundError, buildTemplateVariables, renderTemplate, silentLogger, unavailableCatalog, type Connection, type TaskContext } from '@sluice/core';

/** A task context plus the asset events recorded through it. */
export interface RecordingContext extends TaskContext {
  assetEvents: { uri: string; metadata: Record<string, unknown> }[];
}

/** A task context for `ds` with the given connections. */
export function fakeContext(
  connections: Connection[],
  options: { ds?: string; runId?: string; params?: Record<string, unknown>; signal?: AbortSignal } = {},
): RecordingContext {
  const logicalDate = new Date(`${options.ds ?? '2026-01-01'}T00:00:00Z`);
  const byId = new Map(connections.map((c) => [c.id, c]));
  const base = {
    dagId: 'd',
    runId: options.runId ?? 'scheduled__2026-01-01T00:00:00+00:00',
    taskId: 't',
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: new Date(logicalDate.getTime() + 86_400_000),
    params: options.params ?? {},
  };
  const assetEvents: RecordingContext['assetEvents'] = [];
  return {
    ...base,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    triggeringAssetEvents: [],
    signal: options.signal ?? new AbortController().signal,
    log: silentLogger,
    assetEvents,
    getConnection: async (id) => {
      const c = byId.get(id);
      if (!c) throw new NotFoundError(`connection '${id}' not found`);
      return c;
    },
    getVariable: async () => undefined,
    render: (template) => renderTemplate(template, buildTemplateVariables(base), { variable: async () => undefined }),
    previousOutput: async () => undefined,
    catalog: unavailableCatalog,
    recordAssetEvent: (uri, metadata = {}) => void assetEvents.push({ uri, metadata }),
  };
}

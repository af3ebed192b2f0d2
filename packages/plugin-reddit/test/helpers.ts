import { MemoryLogger, unavailableCatalog, type Connection, type TaskContext } from '@sluice/core';

/** A minimal task context for running an operator outside the scheduler. */
export function fakeTaskContext(
  connection: Connection | (() => Connection),
  overrides: Partial<TaskContext> & { previous?: unknown } = {},
): TaskContext & { log: MemoryLogger } {
  const log = new MemoryLogger();
  const { previous, ...rest } = overrides;
  return {
    dagId: 'reddit_test',
    runId: 'manual__test',
    taskId: 'posts',
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    logicalDate: new Date('2026-01-01T00:00:00Z'),
    dataIntervalStart: new Date('2026-01-01T00:00:00Z'),
    dataIntervalEnd: new Date('2026-01-01T01:00:00Z'),
    params: {},
    triggeringAssetEvents: [],
    signal: new AbortController().signal,
    getConnection: async () => (typeof connection === 'function' ? connection() : connection),
    getVariable: async () => undefined,
    render: async (template: string) => template,
    previousOutput: async <T>() => previous as T | undefined,
    catalog: unavailableCatalog,
    recordAssetEvent: () => undefined,
    ...rest,
    log,
  } as TaskContext & { log: MemoryLogger };
}

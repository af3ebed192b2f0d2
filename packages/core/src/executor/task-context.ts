import type { AssetEvent, TaskContext } from '../authoring/task.js';
import type { CatalogService } from '../catalog/types.js';
import type { Connection } from '../connections/types.js';
import type { Logger } from '../logger.js';
import { buildTemplateVariables, renderTemplate } from '../templates/render.js';

/** The data of a task context, without its functions (what a child process receives). */
export interface TaskContextData {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  maxTries: number;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  params: Record<string, unknown>;
  triggeringAssetEvents: AssetEvent[];
}

/** The services a task context reaches through (the store and the secrets chain, or a parent process). */
export interface TaskContextServices {
  getConnection(id: string): Promise<Connection>;
  getVariable(key: string): Promise<string | undefined>;
  previousOutput(): Promise<unknown>;
  catalog: CatalogService;
}

/** Builds the {@link TaskContext} handed to task code. Asset events the task records go to `onAssetEvent`. */
export function createTaskContext(
  data: TaskContextData,
  services: TaskContextServices,
  log: Logger,
  signal: AbortSignal,
  onAssetEvent: (event: { uri: string; metadata: Record<string, unknown> }) => void,
): TaskContext<Record<string, unknown>> {
  const vars = buildTemplateVariables({
    dagId: data.dagId,
    runId: data.runId,
    taskId: data.taskId,
    logicalDate: data.logicalDate,
    dataIntervalStart: data.dataIntervalStart,
    dataIntervalEnd: data.dataIntervalEnd,
    params: data.params,
  });
  return {
    ...data,
    signal,
    log,
    getConnection: (id) => services.getConnection(id),
    getVariable: (key) => services.getVariable(key),
    render: (template) => renderTemplate(template, vars, { variable: (key) => services.getVariable(key) }),
    previousOutput: async <T>() => (await services.previousOutput()) as T | undefined,
    catalog: services.catalog,
    recordAssetEvent: (uri, metadata = {}) => {
      onAssetEvent({ uri, metadata });
    },
  };
}

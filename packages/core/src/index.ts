/**
 * `@sluice/core`: author DAGs in TypeScript, schedule them with Airflow semantics, keep state in Postgres.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './states.js';
export * from './clock.js';
export * from './logger.js';
export type { Connection, SecretsBackend } from './connections/types.js';
export { parseDuration, durationSchema, type Duration } from './authoring/duration.js';
export { normalizeSchedule, CRON_PRESETS, assetUriSchema, type Schedule, type ScheduleSpec } from './authoring/schedule.js';
export type * from './authoring/task.js';
export {
  defineOperator,
  defineSensor,
  isOperatorInstance,
  isSensorInstance,
  renderTemplateFields,
  type OperatorDefinition,
  type SensorDefinition,
  type OperatorInstance,
  type SensorInstance,
} from './authoring/operator.js';
export { dag, Dag, isDag, type DagOptions } from './authoring/dag.js';
export { TaskBuilder, chain, isPokeDone, type TaskDefinition } from './authoring/task-builder.js';
export { hashDagStructure, type DagStructure, type TaskNode, type TaskKind, type SensorSpec } from './authoring/structure.js';
export { effectiveTaskOptions, buildTaskNode, TASK_DEFAULTS } from './authoring/task-node.js';
export { validateDagGraph } from './authoring/validate.js';
export { DAG_ID_PATTERN, TASK_ID_PATTERN, dagOptionsSchema, taskOptionsSchema } from './authoring/dag-options.js';

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
export { Scheduler, type SchedulerOptions, type IterationResult, type IterationStats } from './scheduler/scheduler.js';
export { StaticDagRegistry, type DagRegistry } from './scheduler/dag-registry.js';
export { Worker, type WorkerOptions, type WorkerIterationStats } from './worker/worker.js';
export type { HeartbeatConnection, TaskProcessOptions } from './worker/execution.js';
export { triggerDagRun, type TriggerOptions } from './scheduler/trigger.js';
export { createBackfill, listBackfills, cancelBackfill, type BackfillOptions, type BackfillProgress } from './scheduler/backfill.js';
export { clearTaskInstances, type ClearOptions } from './scheduler/clear.js';
export { LocalExecutor, type LocalExecutorOptions } from './executor/local-executor.js';
export { DEFAULT_MAX_OUTPUT_BYTES } from './executor/outputs.js';
export * from './scheduling/index.js';
export * from './loader/index.js';
export { openDatabase, resolveDatabaseConfig, redactUrl, type Database, type DatabaseConfig, type DatabaseKind } from './store/database.js';
export { migrate, pendingMigrations } from './store/migrate.js';
export type { DagRunRecord, TaskInstanceRecord } from './store/rows.js';
export { listRuns, getRun, type RunFilter } from './store/runs.js';
export { listTaskInstances } from './store/task-instances.js';
export { getLogLines, type StoredLogLine } from './store/logs.js';
export { listAssetEvents } from './store/assets.js';
export { listDags, getDag, setDagPaused, listImportErrors, type DagRecord } from './store/dags.js';
export { parseConnectionUri, parseConnectionJson, parseConnectionValue, formatConnectionUri } from './connections/connection-uri.js';
export { EnvironmentSecretsBackend } from './connections/env-backend.js';
export { MetadataStoreSecretsBackend } from './connections/store-backend.js';
export { SecretsResolver, type SecretsResolverOptions } from './connections/resolver.js';
export { parseSecretsBackendsConfig, createConfiguredSecretsBackends, type SecretsBackendConfig } from './connections/configured-backends.js';
export { SecretRedactor, redactConnection, registerSecretValues } from './connections/redact.js';
export { setConnection, getStoredConnection, listConnections, deleteConnection, setVariable, getVariable, listVariables, deleteVariable } from './connections/store-connections.js';
export { renderTemplate, buildTemplateVariables, validateTemplate, type TemplateVariables } from './templates/render.js';
export * from './notifiers/index.js';
export * from './plugins/index.js';
export type { CatalogService, CatalogTable, CatalogTableInput, PutTableResult, SchemaChangePolicy } from './catalog/types.js';
export { unavailableCatalog } from './catalog/unavailable.js';
export { storeCatalog } from './catalog/store-catalog.js';
export { getCatalogTable, listCatalogTables, listCatalogTableVersions, putCatalogTable } from './store/catalog.js';

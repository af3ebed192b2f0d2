import { resolve } from 'node:path';
import type { Knex } from 'knex';
import type { Dag } from '../authoring/dag.js';
import type { DagStructure, TaskNode } from '../authoring/structure.js';
import type { NotificationEvent, TaskEventInfo } from '../authoring/task.js';
import { effectiveTaskOptions } from '../authoring/task-node.js';
import type { Connection } from '../connections/types.js';
import { SecretRedactor } from '../connections/redact.js';
import { MemoryLogger, type Logger, type LogLine } from '../logger.js';
import { dispatchNotification } from '../notifiers/dispatch.js';
import { decideAttemptOutcome, type AttemptResult } from '../scheduling/retry.js';
import { getAssetEvents } from '../store/assets.js';
import { markFirstPoke, type ClaimedTask } from '../store/claim-tasks.js';
import { isTransientDatabaseError } from '../store/database.js';
import { finishAttempt, getAttemptEnd } from '../store/finish-attempt.js';
import { appendLogLines } from '../store/logs.js';
import { getPreviousOutput, getTaskOutputs } from '../store/outputs.js';
import { invokeTaskInChildProcess } from './child-process.js';
import { describeError, invokeTaskInProcess, type Invocation } from './invoke-task.js';
import { createTaskContext, type TaskContextData } from './task-context.js';
import { serializeOutput } from './outputs.js';
import { storeCatalog } from '../catalog/store-catalog.js';

/** What an attempt needs from its surroundings. */
export interface AttemptEnvironment {
  knex: Knex;
  logger: Logger;
  now: () => Date;
  getDag(dagId: string): Dag<unknown> | undefined;
  getStructure(dagId: string, versionHash: string): Promise<DagStructure | undefined>;
  getConnection(id: string): Promise<Connection>;
  getVariable(key: string): Promise<string | undefined>;
  maxOutputBytes: number;
  redactor: SecretRedactor;
  /** Folder DAG file paths are relative to (child-process tasks load the file again). Default: cwd. */
  dagsDir?: string | undefined;
}

/** The attempt's final word, after the guarded store update. */
export interface AttemptReport {
  task: ClaimedTask;
  state: string;
  /** False when the store rejected the result (the attempt no longer owned the row). */
  recorded: boolean;
  error?: string | undefined;
}

const LOG_FLUSH_LINES = 200;
/** A line waits at most this long before it is stored, so a running task's log can be tailed. */
const LOG_FLUSH_DELAY_MS = 500;

/**
 * Flushes captured log lines to the store, redacting secrets: in batches of {@link LOG_FLUSH_LINES}, and
 * at most {@link LOG_FLUSH_DELAY_MS} after a line was logged.
 */
class AttemptLogSink {
  readonly lines: LogLine[] = [];
  private flushed = 0;
  private pending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly knex: Knex,
    private readonly attemptId: string,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
  ) {}
  maybeFlush(): void {
    const unflushed = this.lines.length - this.flushed;
    if (unflushed >= LOG_FLUSH_LINES) void this.flush();
    else if (unflushed > 0 && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), LOG_FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === this.flushed) return this.pending;
    const batch = this.lines.slice(this.flushed).map((l) => ({
      ...l,
      message: this.redactor.redact(l.message),
      fields: JSON.parse(this.redactor.redact(JSON.stringify(l.fields ?? {}))) as Record<string, unknown>,
    }));
    this.flushed = this.lines.length;
    this.pending = this.pending
      .then(() => appendLogLines(this.knex, this.attemptId, batch))
      .catch((error: unknown) => this.logger.warn('could not store task log lines', { error: describeError(error) }));
    return this.pending;
  }
}

function eventInfo(task: ClaimedTask, error?: string): TaskEventInfo {
  return { dagId: task.dagId, runId: task.runId, taskId: task.taskId, mapIndex: task.mapIndex, tryNumber: task.tryNumber, logicalDate: task.logicalDate, error };
}

/**
 * Runs one claimed attempt end to end: builds the context (params, upstream outputs, mapped item),
 * invokes the body (in process or in a child process), decides the outcome (pure), records it with a
 * guarded update, stores logs, then runs callbacks and notifiers (whose failures are only logged).
 */
export async function runAttempt(env: AttemptEnvironment, task: ClaimedTask, controller: AbortController): Promise<AttemptReport> {
  const log = env.logger.child({ dagId: task.dagId, runId: task.runId, taskId: task.taskId, mapIndex: task.mapIndex, tryNumber: task.tryNumber });
  const sink = new AttemptLogSink(env.knex, task.attemptId, env.redactor, log);
  const taskLog = new MemoryLogger({}, sink.lines);
  const recordedAssets: { uri: string; metadata: Record<string, unknown> }[] = [];
  const structure = await env.getStructure(task.dagId, task.versionHash);
  const node: TaskNode | undefined = structure?.tasks.find((t) => t.id === task.taskId);
  const dag = env.getDag(task.dagId);
  const def = dag?.getTask(task.taskId);
  let invocation: Invocation;
  let output: string | undefined;
  if (!node || !dag || !def) {
    const error = !dag
      ? `DAG ${task.dagId} is not loaded (its file was removed or has an import error)`
      : `task ${task.taskId} no longer exists in the DAG code (run pinned to version ${task.versionHash})`;
    invocation = { result: { kind: 'error', error } };
  } else {
    try {
      const params = dag.parseParams(task.conf) as Record<string, unknown>;
      const upstream = Object.values(def.inputs);
      if (def.mapOver) upstream.push(def.mapOver);
      const mappedIds = new Set(structure?.tasks.filter((t) => t.kind === 'map').map((t) => t.id));
      const outputs = await getTaskOutputs(env.knex, task.runPk, [...new Set(upstream)].map((id) => ({ taskId: id, mapped: mappedIds.has(id) })));
      const inputs: Record<string, unknown> = {};
      for (const [name, id] of Object.entries(def.inputs)) inputs[name] = outputs.get(id);
      const source = def.mapOver ? outputs.get(def.mapOver) : undefined;
      const item = def.mapOver ? (Array.isArray(source) ? source[task.mapIndex] : undefined) : undefined;
      const data: TaskContextData = {
        dagId: task.dagId,
        runId: task.runId,
        taskId: task.taskId,
        mapIndex: task.mapIndex,
        tryNumber: task.tryNumber,
        maxTries: task.maxTries,
        logicalDate: task.logicalDate,
        dataIntervalStart: task.dataIntervalStart,
        dataIntervalEnd: task.dataIntervalEnd,
        params,
        triggeringAssetEvents: await getAssetEvents(env.knex, task.triggeringAssetEventIds),
      };
      const services = {
        getConnection: (id: string) => env.getConnection(id),
        getVariable: (key: string) => env.getVariable(key),
        previousOutput: () => getPreviousOutput(env.knex, task.dagId, task.taskId, task.logicalDate),
        catalog: storeCatalog(env.knex),
      };
      const onFirstPoke = (at: Date): Promise<void> => markFirstPoke(env.knex, task, at);
      const proxyLog = new Proxy(taskLog, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const r = (value as (...a: unknown[]) => unknown).apply(target, args);
            sink.maybeFlush();
            return r;
          };
        },
      });
      if (node.isolation === 'child-process' && dag.file) {
        invocation = await invokeTaskInChildProcess({ file: resolve(env.dagsDir ?? '.', dag.file), node, data, services, inputs, item, controller, log: proxyLog, firstPokeAt: task.firstPokeAt ?? undefined, onFirstPoke, recordedAssets });
      } else {
        const ctx = createTaskContext(data, services, proxyLog, controller.signal, (e) => recordedAssets.push(e));
        invocation = await invokeTaskInProcess({ def, node, ctx, inputs, item, controller, firstPokeAt: task.firstPokeAt ?? undefined, now: env.now, onFirstPoke });
      }
      if (invocation.result.kind === 'success') {
        if (node.kind === 'branch') invocation = checkBranch(structure as DagStructure, node, invocation);
        if (invocation.result.kind === 'success' && structure?.tasks.some((t) => t.mapOver === node.id && node.kind !== 'map') && !Array.isArray(invocation.output)) {
          invocation = { result: { kind: 'fail_now', error: `OutputError: task ${node.id} must return an array because a mapped task maps over it` } };
        }
        if (invocation.result.kind === 'success') output = serializeOutput(node.id, invocation.output, env.maxOutputBytes);
      }
    } catch (error) {
      invocation = { result: { kind: 'error', error: describeError(error) } };
    }
  }
  const result: AttemptResult = invocation.result;
  if ('error' in result) {
    result.error = env.redactor.redact(result.error);
    taskLog.error(result.error);
  }
  const outcome = node
    ? decideAttemptOutcome(node, { tryNumber: task.tryNumber, maxTries: task.maxTries, firstPokeAt: task.firstPokeAt ?? undefined }, result, env.now())
    : { state: 'failed' as const, notify: 'failure' as const };
  await sink.flush();
  const assetEvents = [...(node?.outlets ?? []).map((uri) => ({ uri, metadata: {} })), ...recordedAssets].reduce<{ uri: string; metadata: Record<string, unknown> }[]>(
    (acc, e) => {
      const existing = acc.find((a) => a.uri === e.uri);
      if (existing) Object.assign(existing.metadata, e.metadata);
      else acc.push({ uri: e.uri, metadata: { ...e.metadata } });
      return acc;
    },
    [],
  );
  const errorText = 'error' in result ? result.error : undefined;
  let retried = false;
  let recorded = await retryWhileUnreachable(log, () => finishAttempt(env.knex, {
    runPk: task.runPk,
    taskId: task.taskId,
    mapIndex: task.mapIndex,
    attemptId: task.attemptId,
    state: outcome.state,
    nextAttemptAt: outcome.nextAttemptAt,
    reschedule: outcome.state === 'up_for_reschedule',
    error: errorText,
    outputJson: output,
    assetEvents,
    dagId: task.dagId,
    runId: task.runId,
  }), () => (retried = true));
  if (!recorded && retried) {
    // The connection may have dropped after an earlier try committed: then the row already holds this result.
    const ended = await getAttemptEnd(env.knex, task.attemptId);
    recorded = ended?.state === outcome.state && ended.error === (errorText ?? null);
  }
  if (!recorded) {
    log.warn('late attempt result rejected: the attempt no longer owns the task instance', { state: outcome.state });
    return { task, state: outcome.state, recorded, error: errorText };
  }
  if (dag && def && outcome.notify) await notify(env, dag, def, task, outcome.notify, errorText, log);
  return { task, state: outcome.state, recorded, error: errorText };
}

const REPORT_RETRY_MAX_DELAY_MS = 30_000;

/**
 * Runs `report` until it succeeds, retrying with backoff (250 ms doubling to 30 s) while the error is a
 * lost or refused database connection: an attempt that finished while Postgres was down keeps its result
 * and records it once the database is back (then the guarded update decides). Other errors propagate.
 */
export async function retryWhileUnreachable<T>(log: Logger, report: () => Promise<T>, onRetry?: () => void): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await report();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      onRetry?.();
      const delay = Math.min(REPORT_RETRY_MAX_DELAY_MS, 250 * 2 ** failures);
      if (failures === 0 || delay === REPORT_RETRY_MAX_DELAY_MS) {
        log.warn('database unreachable; keeping the attempt result and retrying', { error: describeError(error), retryInMs: delay });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function checkBranch(structure: DagStructure, node: TaskNode, invocation: Invocation): Invocation {
  const downstream = new Set(structure.tasks.filter((t) => t.upstream.includes(node.id)).map((t) => t.id));
  const follow = invocation.output as string[];
  const unknown = follow.filter((id) => !downstream.has(id));
  if (unknown.length > 0) {
    return { result: { kind: 'fail_now', error: `branch ${node.id} returned ${unknown.join(', ')}, which are not its direct downstream tasks (${[...downstream].join(', ') || 'none'})` } };
  }
  return invocation;
}

async function notify(
  env: AttemptEnvironment,
  dag: Dag<unknown>,
  def: NonNullable<ReturnType<Dag<unknown>['getTask']>>,
  task: ClaimedTask,
  kind: 'success' | 'retry' | 'failure',
  error: string | undefined,
  log: Logger,
): Promise<void> {
  const options = effectiveTaskOptions(def, dag.options);
  const callback = kind === 'success' ? options.onSuccess : kind === 'retry' ? options.onRetry : options.onFailure;
  if (callback) {
    try {
      await (callback as (info: TaskEventInfo) => unknown)(eventInfo(task, error));
    } catch (cbError) {
      log.warn(`on${kind[0]?.toUpperCase()}${kind.slice(1)} callback failed`, { error: env.redactor.redact(describeError(cbError)) });
    }
  }
  const notifiers = (options.notifiers ?? []) as import('../authoring/task.js').Notifier[];
  if (notifiers.length === 0) return;
  const event: NotificationEvent = { kind, ...eventInfo(task, error), at: env.now() };
  await dispatchNotification(notifiers, event, { getConnection: env.getConnection, log });
}

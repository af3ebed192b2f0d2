/**
 * Named error classes of `@sluice/core`. Each has a stable `name` so callers (and task code loaded
 * from a different copy of this package) can tell them apart without `instanceof`.
 */

/** Options accepted by every Sluice error. */
export interface SluiceErrorOptions {
  /** The underlying error, kept for diagnostics. */
  cause?: unknown;
}

/** Base class of every error thrown by Sluice. */
export class SluiceError extends Error {
  override name = 'SluiceError';
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Invalid user input: a DAG option, params, a CLI argument, a connection. Names the field and the file. */
export class ValidationError extends SluiceError {
  override name = 'ValidationError';
  constructor(
    message: string,
    /** Dotted path of the offending field, when known. */
    readonly field?: string,
    /** The file the input came from, when known. */
    readonly file?: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** A DAG's graph is invalid (cycle, duplicate id, dangling reference, mapping over a non-array). */
export class DagDefinitionError extends ValidationError {
  override name = 'DagDefinitionError';
}

/** A DAG file could not be imported (syntax error, import error, invalid DAG). */
export class DagImportError extends SluiceError {
  override name = 'DagImportError';
  constructor(
    message: string,
    readonly file: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Thrown by task code to end the attempt in `skipped`. */
export class SkipError extends SluiceError {
  override name = 'SkipError';
}

/** Thrown by task code to end the task in `failed` without using its remaining retries. */
export class FailNowError extends SluiceError {
  override name = 'FailNowError';
}

/** A task attempt exceeded its `timeout`. */
export class TaskTimeoutError extends SluiceError {
  override name = 'TaskTimeoutError';
}

/** A sensor did not succeed before its timeout. */
export class SensorTimeoutError extends SluiceError {
  override name = 'SensorTimeoutError';
}

/** A task's output could not be stored (not JSON-serialisable, or larger than the cap). */
export class OutputError extends SluiceError {
  override name = 'OutputError';
}

/** The metadata store failed or refused an operation. */
export class StoreError extends SluiceError {
  override name = 'StoreError';
}

/** A named thing (DAG, run, task, connection, variable) does not exist. */
export class NotFoundError extends SluiceError {
  override name = 'NotFoundError';
}

/** A template uses an unknown variable or filter, or is malformed. */
export class TemplateError extends SluiceError {
  override name = 'TemplateError';
}

/** A connection or variable could not be resolved or parsed. */
export class ConnectionError extends SluiceError {
  override name = 'ConnectionError';
}

/** A plugin manifest or plugin export is invalid. */
export class PluginError extends SluiceError {
  override name = 'PluginError';
}

/** True when `error` is (by name) one of the given Sluice error classes, across package copies. */
export function isErrorNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

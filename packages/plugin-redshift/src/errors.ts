/**
 * Named error classes of `@sluice/plugin-redshift`. Each has a stable `name` (so callers can tell them
 * apart without `instanceof`) and keeps the underlying `pg` error as `cause`. Messages never hold a
 * password or the values bound to a query.
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/core';

/** Base class of every warehouse error. */
export class WarehouseError extends SluiceError {
  override name = 'WarehouseError';
}

/** A warehouse connection cannot be resolved (wrong type, bad extra) or opened (network, authentication). */
export class WarehouseConnectionError extends WarehouseError {
  override name = 'WarehouseConnectionError';
}

/** A schema, table or column name is invalid (empty, too long, a double quote or a control character). */
export class WarehouseIdentifierError extends WarehouseError {
  override name = 'WarehouseIdentifierError';
}

/** Details of a failed statement, taken from the `pg` error. */
export interface WarehouseQueryErrorDetails {
  /** SQLSTATE, e.g. `23505` (unique violation), `42P01` (undefined table). */
  code?: string | undefined;
  /** 1-based character position of the error in the statement text, when the server reports one. */
  position?: number | undefined;
  /** Index of the failing statement in a multi-statement run, when there is one. */
  statementIndex?: number | undefined;
  /** The server's DETAIL line (may echo row data, e.g. `Key (id)=(42) already exists.`); kept out of the message. */
  detail?: string | undefined;
}

/**
 * A statement failed. Keeps the server's SQLSTATE `code` and `position`; the message is the server's
 * (which may echo data, e.g. `Key (id)=(42) already exists`) but never lists the bound values.
 */
export class WarehouseQueryError extends WarehouseError {
  override name = 'WarehouseQueryError';
  /** SQLSTATE of the server error, when there is one. */
  readonly code: string | undefined;
  /** 1-based position of the error in the statement text, when reported. */
  readonly position: number | undefined;
  /** Index of the failing statement in a multi-statement run, when there is one. */
  readonly statementIndex: number | undefined;
  /** The server's DETAIL line, when it sent one (not in the message: it may echo row data). */
  readonly detail: string | undefined;
  constructor(message: string, details: WarehouseQueryErrorDetails = {}, options: SluiceErrorOptions = {}) {
    super(message, options);
    this.code = details.code;
    this.position = details.position;
    this.statementIndex = details.statementIndex;
    this.detail = details.detail;
  }
}

/** A data quality check failed (too few rows, duplicate keys, nulls); the message shows the measured numbers. */
export class DataQualityError extends WarehouseError {
  override name = 'DataQualityError';
  constructor(
    message: string,
    /** The check's measured numbers (also in the message). */
    readonly measured: Record<string, unknown> = {},
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Where and why a row of a load failed (S3-to-warehouse transfer). */
export interface WarehouseLoadErrorDetails {
  /** The S3 object, `s3://bucket/key`. */
  object?: string | undefined;
  /** 1-based line in the object (for JSON, the line the record ends on). */
  line?: number | undefined;
  /** Target column, when the error concerns one. */
  column?: string | undefined;
  /** Why the row was refused: the server's or the mapper's reason. */
  reason: string;
  /** Server error code (SQLSTATE on Postgres, `err_code` on Redshift), when there is one. */
  code?: string | undefined;
}

/**
 * A load refused a row: names the S3 object, line and column and gives the reason. The target table is
 * left as it was (the load runs in one transaction).
 */
export class WarehouseLoadError extends WarehouseError {
  override name = 'WarehouseLoadError';
  /** The S3 object, `s3://bucket/key`. */
  readonly object: string | undefined;
  /** 1-based line in the object. */
  readonly line: number | undefined;
  /** Target column, when known. */
  readonly column: string | undefined;
  /** Why the row was refused. */
  readonly reason: string;
  /** Server error code, when known. */
  readonly code: string | undefined;
  constructor(details: WarehouseLoadErrorDetails, options: SluiceErrorOptions = {}) {
    const where = [details.object, details.line === undefined ? undefined : `line ${details.line}`, details.column === undefined ? undefined : `column ${details.column}`]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`load failed${where ? ` at ${where}` : ''}: ${details.reason}`, options);
    this.object = details.object;
    this.line = details.line;
    this.column = details.column;
    this.reason = details.reason;
    this.code = details.code;
  }
}

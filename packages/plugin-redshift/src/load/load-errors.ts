/**
 * Turning a failed load into a {@link WarehouseLoadError} naming the object, line and column:
 * - Postgres: the COPY error's `where` (`COPY t, line 3, column amount: "abc"`) mapped back to the S3 object's line.
 * - Redshift: the latest row of `STL_LOAD_ERRORS` (provisioned) or `SYS_LOAD_ERROR_DETAIL` (serverless) for
 *   this session.
 */
import { WarehouseLoadError, WarehouseQueryError } from '../errors.js';
import type { WarehouseClient } from '../hook.js';
import { qualifiedTable, type TableRef } from '../identifiers.js';

/**
 * A `pg` error raised by `COPY … FROM STDIN` as a {@link WarehouseLoadError}: COPY line N of this object is
 * source line `lines[N - 1]`. Errors without a COPY position name the last line sent (`fallbackLine`).
 */
export function copyErrorToLoadError(error: unknown, object: string, lines: readonly number[], fallbackLine?: number): WarehouseLoadError {
  const e = (error ?? {}) as { message?: unknown; where?: unknown; code?: unknown; column?: unknown };
  const reason = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const where = typeof e.where === 'string' ? e.where : '';
  const match = /^COPY .*?, line (\d+)(?:, column ([^:\n]+?))?(?::|\n|$)/m.exec(where);
  const copyLine = match?.[1] === undefined ? undefined : Number(match[1]);
  const line = copyLine === undefined ? fallbackLine : (lines[copyLine - 1] ?? fallbackLine);
  const column = match?.[2] ?? (typeof e.column === 'string' ? e.column : undefined);
  return new WarehouseLoadError({ object, line, column, reason, code }, { cause: error });
}

/** Where {@link readRedshiftLoadError} looks: the system views, or tables shaped like them. */
export interface LoadErrorTables {
  /** Default `pg_catalog.stl_load_errors`. */
  stlLoadErrors?: TableRef | undefined;
  /** Default `pg_catalog.sys_load_error_detail`. */
  sysLoadErrorDetail?: TableRef | undefined;
}

interface LoadErrorRow {
  filename: string | null;
  line_number: string | number | null;
  colname: string | null;
  err_reason: string | null;
  err_code: string | number | null;
}

const STL_DEFAULT: TableRef = { schema: 'pg_catalog', table: 'stl_load_errors' };
const SYS_DEFAULT: TableRef = { schema: 'pg_catalog', table: 'sys_load_error_detail' };

function toLoadError(row: LoadErrorRow, cause: unknown): WarehouseLoadError {
  const text = (value: string | null): string | undefined => (value === null || value.trim() === '' ? undefined : value.trim());
  return new WarehouseLoadError(
    {
      object: text(row.filename),
      line: row.line_number === null ? undefined : Number(row.line_number),
      column: text(row.colname),
      reason: text(row.err_reason) ?? 'unknown load error',
      code: row.err_code === null ? undefined : String(row.err_code).trim(),
    },
    cause === undefined ? {} : { cause },
  );
}

/** Options of {@link readRedshiftLoadError}. */
export interface ReadLoadErrorOptions {
  /** The COPY's error, kept as the result's `cause`. */
  cause?: unknown;
  /**
   * Only errors logged at or after this time (UTC, `YYYY-MM-DD HH24:MI:SS[.US]`, e.g. the `SYSDATE` of the
   * COPY's transaction): a pooled session may have logged errors of earlier loads.
   */
  since?: string | undefined;
  /** Where to read; tests point these at tables shaped like the system views. */
  tables?: LoadErrorTables | undefined;
}

/**
 * The latest load error of this session (`session = pg_backend_pid()`, since `options.since`), read on
 * `client` after a failed COPY (and after its transaction was rolled back). `STL_LOAD_ERRORS` first; when
 * it cannot be read (Redshift Serverless has no STL views) `SYS_LOAD_ERROR_DETAIL`. `undefined` when
 * neither has a row.
 */
export async function readRedshiftLoadError(client: WarehouseClient, options: ReadLoadErrorOptions = {}): Promise<WarehouseLoadError | undefined> {
  const stl = qualifiedTable(options.tables?.stlLoadErrors ?? STL_DEFAULT, client.dialect);
  const sys = qualifiedTable(options.tables?.sysLoadErrorDetail ?? SYS_DEFAULT, client.dialect);
  const values = options.since === undefined ? [] : [options.since];
  const after = (column: string): string => (options.since === undefined ? '' : ` AND ${column} >= CAST($1 AS timestamp)`);
  try {
    const result = await client.query<LoadErrorRow>(
      `SELECT TRIM(filename) AS filename, line_number, TRIM(colname) AS colname, TRIM(err_reason) AS err_reason, err_code
         FROM ${stl} WHERE session = pg_backend_pid()${after('starttime')} ORDER BY starttime DESC LIMIT 1`,
      values,
    );
    const row = result.rows[0];
    if (row) return toLoadError(row, options.cause);
  } catch (error) {
    if (!(error instanceof WarehouseQueryError)) throw error;
  }
  const result = await client.query<LoadErrorRow>(
    `SELECT TRIM(file_name) AS filename, line_number, TRIM(column_name) AS colname, TRIM(error_message) AS err_reason, error_code AS err_code
       FROM ${sys} WHERE session_id = pg_backend_pid()${after('start_time')} ORDER BY start_time DESC LIMIT 1`,
    values,
  );
  const row = result.rows[0];
  return row ? toLoadError(row, options.cause) : undefined;
}

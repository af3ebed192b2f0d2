/**
 * `WarehouseHook`: the one client wrapper every warehouse operator and sensor uses. It owns a `redshift`
 * or `postgres` connection and a `pg` pool built from it, and knows nothing of scheduling. Values are
 * always bound (`$1`, `$2`, …); identifiers go through {@link quoteIdent}.
 */
import type { Connection, Hook } from '@sluice/core';
import pg from 'pg';
import {
  DEFAULT_WAREHOUSE_CONNECTION_ID,
  poolConfig,
  resolveWarehouseConnection,
  type PoolOptions,
  type WarehouseConnectionSettings,
} from './connection.js';
import { WarehouseConnectionError, WarehouseError, WarehouseQueryError } from './errors.js';
import { DEFAULT_SCHEMA, type Dialect, type TableRef } from './identifiers.js';

/** Rows and the affected/returned row count of one statement. */
export interface QueryResult<R> {
  rows: R[];
  /** Rows affected (INSERT/UPDATE/DELETE/COPY) or returned (SELECT); 0 when the server reports none. */
  rowCount: number;
  /** The command tag's verb, e.g. `INSERT`, `SELECT`, `CREATE`. */
  command?: string;
}

/** One pooled connection, handed to {@link WarehouseHook.transaction} and {@link WarehouseHook.withClient} callbacks. */
export interface WarehouseClient {
  readonly dialect: Dialect;
  /** Runs one statement with bound values. @throws WarehouseQueryError */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
  /** The `pg` client itself, for COPY streams; do not release it. */
  readonly raw: pg.PoolClient;
}

/** Options of a {@link WarehouseHook}. */
export interface WarehouseHookOptions extends PoolOptions {
  /** Connection id, for messages and {@link WarehouseHook.connectionId}. Default `redshift_default`. */
  connectionId?: string | undefined;
}

/** Options of {@link WarehouseHook.withClient} and {@link WarehouseHook.transaction}. */
export interface RunOptions {
  /**
   * Cancels the running statement when it fires (`pg_cancel_backend` from a second connection); the
   * statement then fails with SQLSTATE 57014 and a transaction is rolled back. Pass `ctx.signal`.
   */
  signal?: AbortSignal | undefined;
}

/** A column as `information_schema.columns` describes it. */
export interface WarehouseColumn {
  name: string;
  /** `data_type`, e.g. `integer`, `character varying`, `text`. */
  dataType: string;
  /** `character_maximum_length`, or `null` for types without one. */
  maxLength: number | null;
  nullable: boolean;
}

/** SQLSTATE classes that mean the connection, not the statement, failed. */
const CONNECTION_SQLSTATE = /^(08|28|3D|53300|57P0[1-3])/;
/** Node network error codes. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN', 'EPIPE']);

/**
 * Turns a `pg` (or network) error into a {@link WarehouseConnectionError} or {@link WarehouseQueryError}.
 * The server message is kept with its SQLSTATE and position; the password (if it ever appears) is cut out.
 */
export function toWarehouseError(error: unknown, settings: WarehouseConnectionSettings, prefix = '', statementIndex?: number): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const e = (error ?? {}) as { message?: unknown; code?: unknown; position?: unknown; detail?: unknown };
  let message = typeof e.message === 'string' ? e.message : String(error);
  if (settings.password) message = message.split(settings.password).join('[redacted]');
  const code = typeof e.code === 'string' ? e.code : undefined;
  const where = `${settings.dialect} ${settings.host}:${settings.port}/${settings.database}`;
  const connectionFailed = code !== undefined && (NETWORK_CODES.has(code) || CONNECTION_SQLSTATE.test(code));
  if (connectionFailed || /Connection terminated|timeout expired/i.test(message)) {
    return new WarehouseConnectionError(`${prefix}cannot use ${where}: ${message}${code ? ` (${code})` : ''}`, { cause: error });
  }
  const position = typeof e.position === 'string' || typeof e.position === 'number' ? Number(e.position) : undefined;
  const detail = typeof e.detail === 'string' ? e.detail : undefined;
  return new WarehouseQueryError(`${prefix}${message}${code ? ` (SQLSTATE ${code})` : ''}`, { code, position, statementIndex, detail }, { cause: error });
}

function wrapClient(client: pg.PoolClient, settings: WarehouseConnectionSettings): WarehouseClient {
  return {
    dialect: settings.dialect,
    raw: client,
    async query<R>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
      try {
        const result = await client.query(text, values === undefined ? undefined : [...values]);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0, command: result.command };
      } catch (error) {
        throw toWarehouseError(error, settings);
      }
    },
  };
}

/**
 * A Redshift or Postgres warehouse through a `redshift`/`postgres` connection (see
 * {@link resolveWarehouseConnection}). Close it when done (`await hook.close()`, e.g. in `finally`).
 *
 * ```ts
 * const hook = await WarehouseHook.fromContext(ctx, 'redshift_default');
 * try {
 *   await hook.transaction(async (db) => {
 *     await db.query(`DELETE FROM ${qualifiedTable(ref, hook.dialect)} WHERE dt = $1`, [ctx.params.ds]);
 *   });
 * } finally {
 *   await hook.close();
 * }
 * ```
 */
export class WarehouseHook implements Hook {
  /** Resolves the connection through `ctx.getConnection` (a TaskContext fits) and builds the hook. */
  static async fromContext(
    ctx: { getConnection(id: string): Promise<Connection> },
    connId: string = DEFAULT_WAREHOUSE_CONNECTION_ID,
    options: WarehouseHookOptions = {},
  ): Promise<WarehouseHook> {
    const settings = await resolveWarehouseConnection((id) => ctx.getConnection(id), connId);
    return new WarehouseHook(settings, { ...options, connectionId: connId });
  }

  /** The connection id this hook was built from. */
  readonly connectionId: string;
  /** The SQL dialect of the warehouse. */
  readonly dialect: Dialect;
  private readonly pool: pg.Pool;
  private readonly cancelling = new Set<Promise<unknown>>();
  private closed = false;

  /** Builds the hook; no connection is opened until the first query. */
  constructor(
    /** The resolved connection (holds the password: never log it). */
    readonly settings: WarehouseConnectionSettings,
    options: WarehouseHookOptions = {},
  ) {
    this.connectionId = options.connectionId ?? DEFAULT_WAREHOUSE_CONNECTION_ID;
    this.dialect = settings.dialect;
    this.pool = new pg.Pool(poolConfig(settings, options));
    // An idle client's network error must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  /** Runs one statement on a pooled connection (autocommit). @throws WarehouseQueryError | WarehouseConnectionError */
  async query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.withClient((client) => client.query<R>(text, values));
  }

  /**
   * Runs `fn` in `BEGIN … COMMIT` on one pooled connection; `ROLLBACK` when `fn` throws (the error is
   * rethrown). A connection broken during the transaction is discarded, not returned to the pool.
   */
  async transaction<T>(fn: (client: WarehouseClient) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await fn(client);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await client.query('COMMIT');
      return result;
    }, options);
  }

  /** Runs `fn` with one pooled connection and no transaction (COPY streams, statements managed by the caller). */
  async withClient<T>(fn: (client: WarehouseClient) => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.closed) throw new WarehouseError(`hook for connection '${this.connectionId}' is closed`);
    options.signal?.throwIfAborted();
    let raw: pg.PoolClient;
    try {
      raw = await this.pool.connect();
    } catch (error) {
      throw toWarehouseError(error, this.settings, `connection '${this.connectionId}': `);
    }
    const onAbort = (): void => this.cancelBackend((raw as unknown as { processID?: number | null }).processID);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let broken: Error | undefined;
    try {
      return await fn(wrapClient(raw, this.settings));
    } catch (error) {
      if (error instanceof WarehouseConnectionError) broken = error;
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      raw.release(broken);
    }
  }

  /** Asks the server, on a connection of its own, to cancel the statement running in backend `pid`. */
  private cancelBackend(pid: number | null | undefined): void {
    if (typeof pid !== 'number') return;
    const canceller = new pg.Client(poolConfig(this.settings));
    canceller.on('error', () => undefined);
    const done = canceller
      .connect()
      .then(() => canceller.query('SELECT pg_cancel_backend($1)', [pid]))
      .catch(() => undefined)
      .finally(() => canceller.end().catch(() => undefined));
    this.cancelling.add(done);
    void done.finally(() => this.cancelling.delete(done));
  }

  /**
   * True when the table (or view) exists; without a schema, the connection's current schema is searched.
   * Names compare exactly: Redshift (unless `enable_case_sensitive_identifier` is on) stores them in lower case.
   */
  async tableExists(ref: TableRef): Promise<boolean> {
    const result = await this.query<{ found: number }>(
      `SELECT 1 AS found FROM information_schema.tables
        WHERE table_schema = COALESCE($1::text, current_schema()) AND table_name = $2::text`,
      [ref.schema ?? null, ref.table],
    );
    return result.rows.length > 0;
  }

  /** The table's columns in ordinal order (empty when the table does not exist). Works on both dialects. */
  async columns(ref: TableRef): Promise<WarehouseColumn[]> {
    const result = await this.query<{ name: string; data_type: string; max_length: number | null; is_nullable: string }>(
      `SELECT column_name AS name, data_type, character_maximum_length AS max_length, is_nullable
         FROM information_schema.columns
        WHERE table_schema = COALESCE($1::text, current_schema()) AND table_name = $2::text
        ORDER BY ordinal_position`,
      [ref.schema ?? null, ref.table],
    );
    return result.rows.map((row) => ({
      name: row.name,
      dataType: row.data_type,
      maxLength: row.max_length === null ? null : Number(row.max_length),
      nullable: row.is_nullable === 'YES',
    }));
  }

  /**
   * The asset URI of a table: `redshift://<host>:<port>/<database>/<schema>.<table>` (or `postgres://…`);
   * the schema defaults to `public`; never holds credentials. Parts are URI-encoded.
   */
  assetUri(ref: TableRef): string {
    const { host, port, database } = this.settings;
    const table = `${encodeURIComponent(ref.schema ?? DEFAULT_SCHEMA)}.${encodeURIComponent(ref.table)}`;
    return `${this.dialect}://${host.toLowerCase()}:${port}/${encodeURIComponent(database)}/${table}`;
  }

  /** Closes the pool (waits for checked-out connections to be released). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.cancelling);
    await this.pool.end();
  }

  /** What the hook shows when logged or serialised: never the password. */
  toJSON(): Record<string, unknown> {
    const { dialect, host, port, database, user } = this.settings;
    return { connectionId: this.connectionId, dialect, host, port, database, user };
  }

  /** `util.inspect` / `console.log` view: the same as {@link WarehouseHook.toJSON}. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `WarehouseHook ${JSON.stringify(this.toJSON())}`;
  }

  /** Connections the pool holds now (for leak checks in tests). */
  get openConnections(): number {
    return this.pool.totalCount;
  }
}

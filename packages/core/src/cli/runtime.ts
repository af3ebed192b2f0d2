import { resolve } from 'node:path';
import { EnvironmentSecretsBackend } from '../connections/env-backend.js';
import { MetadataStoreSecretsBackend } from '../connections/store-backend.js';
import { SecretsResolver } from '../connections/resolver.js';
import { createConfiguredSecretsBackends, parseSecretsBackendsConfig } from '../connections/configured-backends.js';
import { DagFolder } from '../loader/dag-folder.js';
import { createPinoLogger, createTextLogger, type Logger, type LogLevel } from '../logger.js';
import { openDatabase, resolveDatabaseConfig, type Database } from '../store/database.js';
import { migrate } from '../store/migrate.js';

/** Everything a CLI command needs: the store, the secrets chain, and (optionally) the DAG folder. */
export interface CliRuntime {
  db: Database;
  secrets: SecretsResolver;
  logger: Logger;
  folder?: DagFolder;
  dagsDir: string;
  close(): Promise<void>;
}

/** The DAG folder: `--dags`, else SLUICE_DAGS_FOLDER, else `./dags`. */
export function resolveDagsDir(option: string | undefined): string {
  return resolve(option ?? process.env.SLUICE_DAGS_FOLDER ?? 'dags');
}

/**
 * Opens the metadata store (SLUICE_DATABASE_URL / DATABASE_URL, else PGlite under `.sluice/` of the current
 * directory), migrates it, and builds the secrets chain: environment, metadata store, then the plugin
 * backends configured in SLUICE_SECRETS_BACKENDS.
 */
export async function openRuntime(options: { dags?: string; loadDags?: boolean; logLevel?: LogLevel } = {}): Promise<CliRuntime> {
  const level = (process.env.SLUICE_LOG_LEVEL as LogLevel | undefined) ?? options.logLevel ?? 'warn';
  // JSON lines for machines (SLUICE_LOG_FORMAT=json, or when stderr is not a terminal); readable lines in a terminal.
  const json = process.env.SLUICE_LOG_FORMAT === 'json' || (process.env.SLUICE_LOG_FORMAT !== 'text' && !process.stderr.isTTY);
  const logger = json ? createPinoLogger({ level }) : createTextLogger({ level });
  const db = await openDatabase(resolveDatabaseConfig(process.env, process.cwd()));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  let configured;
  try {
    configured = await createConfiguredSecretsBackends(parseSecretsBackendsConfig(process.env.SLUICE_SECRETS_BACKENDS), process.cwd());
  } catch (error) {
    await db.close();
    throw error;
  }
  const secrets = new SecretsResolver([new EnvironmentSecretsBackend(process.env), new MetadataStoreSecretsBackend(db.knex), ...configured], { logger });
  const dagsDir = resolveDagsDir(options.dags);
  const folder = options.loadDags ? new DagFolder({ dir: dagsDir, logger }) : undefined;
  if (folder) await folder.scan();
  return { db, secrets, logger, dagsDir, ...(folder ? { folder } : {}), close: () => db.close() };
}

/** Runs `fn` with a runtime and always closes it. */
export async function withRuntime<T>(options: Parameters<typeof openRuntime>[0], fn: (rt: CliRuntime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(options);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

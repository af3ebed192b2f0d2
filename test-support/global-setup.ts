/// <reference path="./vitest.d.ts" />
/**
 * Vitest global setup: finds (or starts) a real Postgres, builds a migrated template database on it once
 * per run, and hands both to test files (`inject`) and to child processes (env vars).
 *
 * Postgres, in order: `SLUICE_TEST_DATABASE_URL` (must answer); else the local server at
 * postgres://postgres@127.0.0.1:5432/postgres if it answers quickly and is 13+; else a throwaway embedded
 * Postgres. `SLUICE_TEST_FORCE_EMBEDDED=1` skips straight to the embedded one. Never skips silently.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { openDatabase, redactUrl } from '../packages/core/src/store/database.js';
import { migrate } from '../packages/core/src/store/migrate.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { DEFAULT_LOCAL_POSTGRES_URL, TEST_ENV } from './env.js';
import { createDatabase, databaseUrl, disallowConnections, dropDatabase, serverVersion } from './postgres-admin.js';

const MINIMUM_VERSION_NUM = 130000;

interface PostgresServer {
  adminUrl: string;
  label: string;
  stop?: () => Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('[sluice tests] teardown step failed:', error));
    }
  };
  try {
    const server = await findPostgres();
    if (server.stop) cleanups.push(server.stop);

    const template = await buildPostgresTemplate(server.adminUrl);
    if (template) cleanups.push(() => dropDatabase(server.adminUrl, template));

    project.provide('sluiceTestPostgresUrl', server.adminUrl);
    project.provide('sluiceTestPostgresTemplate', template);
    process.env[TEST_ENV.adminUrl] = server.adminUrl;
    process.env[TEST_ENV.postgresTemplate] = template;

    console.log(`[sluice tests] Postgres: ${server.label}`);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}

async function findPostgres(): Promise<PostgresServer> {
  const explicitUrl = process.env[TEST_ENV.databaseUrl]?.trim();
  const forceEmbedded = ['1', 'true', 'yes'].includes(process.env[TEST_ENV.forceEmbedded]?.trim().toLowerCase() ?? '');

  if (explicitUrl && !forceEmbedded) {
    const version = await serverVersion(explicitUrl).catch((error: unknown) => {
      throw new Error(`${TEST_ENV.databaseUrl} (${redactUrl(explicitUrl)}) does not answer: ${describe(error)}`);
    });
    if (version.num < MINIMUM_VERSION_NUM) {
      throw new Error(`${TEST_ENV.databaseUrl} (${redactUrl(explicitUrl)}) runs PostgreSQL ${version.text}; 13+ needed`);
    }
    return { adminUrl: explicitUrl, label: `${redactUrl(explicitUrl)} from ${TEST_ENV.databaseUrl} (PostgreSQL ${version.text})` };
  }

  let fallbackReason = `${TEST_ENV.forceEmbedded} is set`;
  if (!forceEmbedded) {
    try {
      const version = await serverVersion(DEFAULT_LOCAL_POSTGRES_URL);
      if (version.num >= MINIMUM_VERSION_NUM) {
        return { adminUrl: DEFAULT_LOCAL_POSTGRES_URL, label: `local server ${DEFAULT_LOCAL_POSTGRES_URL} (PostgreSQL ${version.text})` };
      }
      fallbackReason = `the local server runs PostgreSQL ${version.text}, 13+ needed`;
    } catch (error) {
      fallbackReason = `no local server at ${DEFAULT_LOCAL_POSTGRES_URL} (${describe(error)})`;
    }
  }

  const embedded = await startEmbeddedPostgres();
  const version = await serverVersion(embedded.adminUrl);
  return {
    adminUrl: embedded.adminUrl,
    label: `embedded PostgreSQL ${version.text} at ${redactUrl(embedded.adminUrl)}, data in ${embedded.dataDir} (${fallbackReason})`,
    stop: embedded.stop,
  };
}

/**
 * Creates and migrates `sluice_template_<pid>_<random>`, then forbids connections to it so that
 * `CREATE DATABASE ... TEMPLATE` never finds it busy. Returns '' on failure: tests then migrate each
 * database themselves, so a broken migration shows up in the migration tests rather than here.
 */
async function buildPostgresTemplate(adminUrl: string): Promise<string> {
  const name = `sluice_template_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await createDatabase(adminUrl, name, 'template0');
    const db = await openDatabase({ url: databaseUrl(adminUrl, name), poolMax: 1 });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    await disallowConnections(adminUrl, name);
    return name;
  } catch (error) {
    console.warn(`[sluice tests] could not build the template database; tests will migrate each database: ${describe(error)}`);
    await dropDatabase(adminUrl, name).catch(() => undefined);
    return '';
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

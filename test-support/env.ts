/**
 * Environment variables of the test infrastructure.
 *
 * Inputs (set by whoever runs the tests):
 * - `SLUICE_TEST_DATABASE_URL`: admin URL of the Postgres server to test against (must answer, or setup fails).
 * - `SLUICE_TEST_FORCE_EMBEDDED=1`: ignore any local server and start a throwaway embedded Postgres.
 * - `SLUICE_TEST_BACKENDS`: comma-separated subset of `postgres,pglite` for `describeEachBackend`.
 *
 * Outputs (set by global setup, inherited by test workers and any process they spawn):
 */
export const TEST_ENV = {
  databaseUrl: 'SLUICE_TEST_DATABASE_URL',
  forceEmbedded: 'SLUICE_TEST_FORCE_EMBEDDED',
  backends: 'SLUICE_TEST_BACKENDS',
  /** Admin URL of the Postgres server in use. */
  adminUrl: 'SLUICE_TEST_ADMIN_URL',
  /** Migrated template database name ('' when none). */
  postgresTemplate: 'SLUICE_TEST_POSTGRES_TEMPLATE',
} as const;

/** The default local server tried when `SLUICE_TEST_DATABASE_URL` is unset. */
export const DEFAULT_LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

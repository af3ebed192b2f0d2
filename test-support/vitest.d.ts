import 'vitest';

declare module 'vitest' {
  /** Values `global-setup.ts` provides to every test file (read them with `inject`). */
  export interface ProvidedContext {
    /** Admin URL of the Postgres server the tests use (may contain a password; never log it unredacted). */
    sluiceTestPostgresUrl: string;
    /** Name of a migrated template database on that server, or '' when none could be built. */
    sluiceTestPostgresTemplate: string;
  }
}

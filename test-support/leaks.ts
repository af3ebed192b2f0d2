import { afterAll, afterEach, beforeEach } from 'vitest';
import { openDatabaseCount, openDatabaseDescriptions } from '../packages/core/src/store/database.js';

/**
 * Fails a test that opens a Database and does not close it (by the end of its own afterEach hooks), and
 * fails the file when any Database is still open after all of its hooks. Databases a suite opens in
 * beforeAll and closes in afterAll are fine.
 *
 * Register it from a setup file so its hooks wrap the file's own (hooks run in stack order).
 */
export function installLeakChecks(): void {
  let openBefore = 0;
  beforeEach(() => {
    openBefore = openDatabaseCount();
  });
  afterEach(() => {
    const leaked = openDatabaseCount() - openBefore;
    if (leaked > 0) {
      throw new Error(`This test left ${leaked} database(s) open; close them (open now: ${describeOpen()})`);
    }
  });
  afterAll(() => {
    if (openDatabaseCount() > 0) {
      throw new Error(`This test file left database(s) open after all hooks: ${describeOpen()}`);
    }
  });
}

function describeOpen(): string {
  return openDatabaseDescriptions().join(', ');
}

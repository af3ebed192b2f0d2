import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    globalSetup: ['./test-support/global-setup.ts'],
    setupFiles: ['./test-support/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 60_000,
    restoreMocks: true,
    // After-hooks run in reverse registration order, so the leak checks in setup.ts run last.
    sequence: { hooks: 'stack' },
  },
});

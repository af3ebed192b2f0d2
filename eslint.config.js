// ESLint flat config for the whole monorepo (`pnpm lint` runs `eslint .` from the root).
//
// Non-type-checked typescript-eslint rules on purpose: they need no TypeScript program, so
// linting stays a few seconds and does not depend on a prior `tsc -b`. `tsc` already
// enforces the type-level checks (strict, noUncheckedIndexedAccess).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '.ci/.node24/**',
    '**/coverage/**',
    '**/*.d.ts',
    'bench/results/**',
    '.sluice/**',
    '.cache/**',
    'test-artifacts/**',
    '**/.artifacts/**',
    'packages/core/chaos/.out/**',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // Everything here runs on Node (>= 20), except the web UI (block below).
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      // Library code talks through the Logger interface, never the console.
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  {
    // The CLI prints to the terminal; test support, scripts and benchmarks report progress.
    // (Examples stay under the rule: DAG code should log through ctx.log.)
    files: [
      'packages/*/src/cli/**',
      'packages/*/bin/**',
      'test-support/**',
      'scripts/**',
      'bench/**',
      '**/*.config.{js,ts,mjs}',
    ],
    rules: { 'no-console': 'off' },
  },

  {
    // test-support pulls its `declare module 'vitest'` augmentation (a .d.ts with no runtime
    // counterpart) in with `/// <reference path>`; that is the idiomatic way to include a
    // declaration-only file, so allow `path` references there.
    files: ['test-support/**'],
    rules: {
      '@typescript-eslint/triple-slash-reference': ['error', { path: 'always', types: 'prefer-import', lib: 'always' }],
    },
  },

  {
    // The web UI: plain ES modules served to the browser as they are (no build step).
    files: ['packages/core/ui/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);

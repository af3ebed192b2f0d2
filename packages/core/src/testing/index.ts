/**
 * `@sluice/core/testing`: run a DAG end to end in a test, on a throwaway in-memory store.
 * @packageDocumentation
 */
export { testDag, type TestDagOptions, type TestDagResult, type TestTaskResult } from './dag-test.js';
export { ManualClock } from '../clock.js';
export { MemoryLogger } from '../logger.js';

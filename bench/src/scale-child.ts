/**
 * Entry of a scale-row child process: `node scale-child.js <big-dag|dag-files|history> <sizes JSON>`.
 * Kept apart from main.ts so the child loads only Sluice, not the peers, and its memory is Sluice's own.
 */
import { runScaleChild, type ScaleSizes } from './scale.js';

const [kind, sizes] = process.argv.slice(2);
runScaleChild(kind ?? '', JSON.parse(sizes ?? '{}') as ScaleSizes)
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 200).unref());

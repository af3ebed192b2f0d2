import type { Dag } from '../authoring/dag.js';
import { NotFoundError } from '../errors.js';
import type { CliRuntime } from './runtime.js';

/** The loaded DAG with this id, or NotFoundError that lists import errors (the DAG may be in a broken file). */
export function requireDag(rt: CliRuntime, dagId: string): Dag<unknown> {
  const dag = rt.folder?.get(dagId);
  if (dag) return dag;
  const errors = rt.folder ? [...rt.folder.importErrors().entries()] : [];
  const known = rt.folder?.list().map((d) => d.id) ?? [];
  let message = `DAG '${dagId}' not found in ${rt.dagsDir}`;
  if (known.length > 0) message += ` (known: ${known.join(', ')})`;
  if (errors.length > 0) message += `\nimport errors:\n${errors.map(([f, e]) => `  ${f}: ${e}`).join('\n')}`;
  throw new NotFoundError(message);
}

/** Parses a `--conf` JSON option; ValidationError-style message naming the option. */
export function parseJsonOption(value: string | undefined, option: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    const e = new Error(`${option} is not valid JSON: ${(error as Error).message}`);
    e.name = 'ValidationError';
    throw e;
  }
}

/** Parses a `--date` option (ISO date or date-time); ValidationError when invalid. */
export function parseDateOption(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    const e = new Error(`${option} '${value}' is not a date (use e.g. 2026-01-02 or 2026-01-02T03:00:00Z)`);
    e.name = 'ValidationError';
    throw e;
  }
  return d;
}

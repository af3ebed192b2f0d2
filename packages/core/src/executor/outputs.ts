import { OutputError } from '../errors.js';

/** Default cap on a task output's JSON size: 1 MiB. Big data belongs in S3; pass its key on. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1_048_576;

/**
 * Serialises a task output to JSON for the metadata store. `undefined` stores nothing. Throws OutputError
 * (the attempt fails) when the value is not JSON-serialisable or larger than `maxBytes`.
 */
export function serializeOutput(taskId: string, value: unknown, maxBytes: number): string | undefined {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new OutputError(`task ${taskId}: output is not JSON-serialisable (${(error as Error).message})`, { cause: error });
  }
  if (json === undefined) throw new OutputError(`task ${taskId}: output of type ${typeof value} is not JSON-serialisable`);
  const size = Buffer.byteLength(json);
  if (size > maxBytes) {
    throw new OutputError(
      `task ${taskId}: output is ${size} bytes, over the ${maxBytes}-byte limit (SLUICE_MAX_OUTPUT_BYTES); write big data to object storage and return its location`,
    );
  }
  return json;
}

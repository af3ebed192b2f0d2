import type { z } from 'zod';
import type { Connection } from '../connections/types.js';
import { ConnectionError } from '../errors.js';

/**
 * The shape every hook shares. A hook owns one connection and the client built from it, and knows
 * nothing about scheduling: operators and sensors create a hook from the connection id they were given,
 * call it, and let it go.
 *
 * A typical hook resolves its connection lazily through the task context, validates the connection's
 * `extra` with {@link resolveConnectionExtra}, and builds its client once:
 *
 * ```ts
 * class WeatherHook implements Hook {
 *   constructor(readonly connectionId: string, private readonly ctx: TaskContext) {}
 *   async forecast(city: string): Promise<Forecast> {
 *     const connection = await this.ctx.getConnection(this.connectionId);
 *     const extra = await resolveConnectionExtra(connection, weatherExtraSchema);
 *     // … call the API with connection.password and extra.units …
 *   }
 * }
 * ```
 */
export interface Hook {
  /** Id of the connection this hook uses, e.g. `weather_default`. */
  readonly connectionId: string;
}

/**
 * Validates `connection.extra` with a plugin's zod schema and returns the parsed value (defaults applied).
 *
 * On failure throws {@link ConnectionError} naming the connection id and the offending field, e.g.
 * `connection 'weather_default': extra field 'units': Invalid option: expected one of "metric"|"imperial"`.
 * The message never contains the field's value (extras may hold tokens).
 */
export async function resolveConnectionExtra<S extends z.ZodType>(
  connection: Connection,
  schema: S,
): Promise<z.output<S>> {
  const extra: unknown = connection.extra ?? {};
  const result = await schema.safeParseAsync(extra);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const message = withoutValue(issue?.message ?? 'invalid value', valueAt(extra, issue?.path ?? []));
  throw new ConnectionError(
    `connection '${connection.id}': extra ${field ? `field '${field}'` : 'value'}: ${message}`,
    { cause: result.error },
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Removes a printed copy of the offending value from a (custom) validation message. */
function withoutValue(message: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') return message;
  const printed = String(value);
  if (printed.length < 3) return message;
  return message.split(printed).join('[redacted]');
}

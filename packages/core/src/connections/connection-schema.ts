/**
 * Validation of connections and their ids. Messages name the field and the connection id and never
 * include a field's value, so they are safe to print even when the password is the bad field.
 */
import { z } from 'zod';
import { ConnectionError } from '../errors.js';
import type { Connection } from './types.js';

/** Valid connection ids (and variable keys stored in the metadata store): letters, digits, `_ . -`. */
export const CONNECTION_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** zod schema of a connection id. */
export const connectionIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(250, 'must be at most 250 characters')
  .regex(CONNECTION_ID_PATTERN, 'may only contain letters, digits, _ . -');

const optionalText = z.string({ error: 'must be a string' }).optional();

/** zod schema of a {@link Connection} (the type already normalised, see {@link normalizeConnectionType}). */
export const connectionSchema = z.strictObject(
  {
    id: connectionIdSchema,
    type: z
      .string({ error: 'is required (a string such as postgres, aws, http)' })
      .regex(/^[a-z0-9][a-z0-9_.+]*$/, 'must be lowercase letters, digits, _ . + (e.g. postgres, aws, http)')
      .max(100, 'must be at most 100 characters'),
    host: optionalText,
    port: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be from 0 to 65535')
      .max(65535, 'must be from 0 to 65535')
      .optional(),
    login: optionalText,
    password: optionalText,
    schema: optionalText,
    extra: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }),
  },
  { error: 'unknown field' },
);

/** A short, quoted form of an id for messages (ids are not secret, but may be long or malformed). */
export function quoteId(id: unknown): string {
  const text = typeof id === 'string' ? id : String(id);
  return `'${text.length > 80 ? `${text.slice(0, 77)}...` : text}'`;
}

/** Builds the ConnectionError for `field` of connection `id`. */
export function connectionFieldError(id: unknown, field: string, message: string, cause?: unknown): ConnectionError {
  return new ConnectionError(`connection ${quoteId(id)}: field '${field}' ${message}`, { cause });
}

/**
 * Airflow's type normalisation: lowercase, `-` → `_`, `postgresql` → `postgres`
 * (so `google-cloud-platform://` and `google_cloud_platform` name the same type).
 */
export function normalizeConnectionType(type: string): string {
  const normalized = type.trim().toLowerCase().replace(/-/g, '_');
  return normalized === 'postgresql' ? 'postgres' : normalized;
}

/** Validates a connection id; throws ConnectionError naming the id. */
export function validateConnectionId(id: unknown): string {
  const result = connectionIdSchema.safeParse(id);
  if (!result.success) throw connectionFieldError(id, 'id', result.error.issues[0]?.message ?? 'is invalid');
  return result.data;
}

/**
 * Validates `input` as a {@link Connection}: empty strings become `undefined`, `extra` defaults to `{}`.
 * @throws ConnectionError naming the first bad field and the connection id (never a value).
 */
export function validateConnection(input: Record<string, unknown>): Connection {
  const cleaned: Record<string, unknown> = { extra: {} };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined && value !== null && value !== '') cleaned[key] = value;
  }
  if (cleaned.id === undefined) cleaned.id = input.id;
  const result = connectionSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : (issue?.path.join('.') ?? '');
    throw connectionFieldError(input.id, field || 'connection', issue?.message ?? 'is invalid');
  }
  const c = result.data;
  // The validated input object, not zod's copy: zod rebuilds records by assignment, which would turn an
  // own `__proto__` key (possible in parsed JSON) into a prototype.
  const connection: Connection = { id: c.id, type: c.type, extra: cleaned.extra as Record<string, unknown> };
  if (c.host !== undefined) connection.host = c.host;
  if (c.port !== undefined) connection.port = c.port;
  if (c.login !== undefined) connection.login = c.login;
  if (c.password !== undefined) connection.password = c.password;
  if (c.schema !== undefined) connection.schema = c.schema;
  return connection;
}

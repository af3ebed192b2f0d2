/**
 * Connections and variables in the metadata store (`sluice_connections`, `sluice_variables`).
 * Values are stored as given: protect the database as you would the secrets themselves.
 */
import { ConnectionError } from '../errors.js';
import { rowsOf, toDate, toJson, type Queryable } from '../store/rows.js';
import { connectionIdSchema, quoteId, validateConnection, validateConnectionId } from './connection-schema.js';
import type { Connection } from './types.js';

/** A variable as stored. */
export interface VariableRecord {
  key: string;
  value: string;
  description: string | null;
  updatedAt: Date;
}

function toConnection(r: Record<string, unknown>): Connection {
  const c: Connection = { id: String(r.conn_id), type: String(r.conn_type), extra: toJson(r.extra) };
  if (r.host !== null && r.host !== undefined) c.host = String(r.host);
  if (r.port !== null && r.port !== undefined) c.port = Number(r.port);
  if (r.login !== null && r.login !== undefined) c.login = String(r.login);
  if (r.password !== null && r.password !== undefined) c.password = String(r.password);
  if (r.schema !== null && r.schema !== undefined) c.schema = String(r.schema);
  return c;
}

function validateVariableKey(key: unknown): string {
  const result = connectionIdSchema.safeParse(key);
  if (!result.success) {
    throw new ConnectionError(`variable ${quoteId(key)}: key ${result.error.issues[0]?.message ?? 'is invalid'}`);
  }
  return result.data;
}

/** Inserts or replaces connection `c` (validated first; ConnectionError names a bad field). */
export async function setConnection(db: Queryable, c: Connection): Promise<void> {
  const valid = validateConnection({ ...c });
  await db.raw(
    `INSERT INTO sluice_connections (conn_id, conn_type, host, port, login, password, schema, extra, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, now())
     ON CONFLICT (conn_id) DO UPDATE SET conn_type = EXCLUDED.conn_type, host = EXCLUDED.host, port = EXCLUDED.port,
       login = EXCLUDED.login, password = EXCLUDED.password, schema = EXCLUDED.schema, extra = EXCLUDED.extra,
       updated_at = now()`,
    [
      valid.id,
      valid.type,
      valid.host ?? null,
      valid.port ?? null,
      valid.login ?? null,
      valid.password ?? null,
      valid.schema ?? null,
      JSON.stringify(valid.extra),
    ],
  );
}

/** The stored connection `id`, or `undefined`. */
export async function getStoredConnection(db: Queryable, id: string): Promise<Connection | undefined> {
  validateConnectionId(id);
  const rows = rowsOf(await db.raw(`SELECT * FROM sluice_connections WHERE conn_id = ?`, [id]));
  return rows[0] ? toConnection(rows[0]) : undefined;
}

/** Every stored connection, by id. Passwords included: redact before printing. */
export async function listConnections(db: Queryable): Promise<Connection[]> {
  return rowsOf(await db.raw(`SELECT * FROM sluice_connections ORDER BY conn_id`)).map(toConnection);
}

/** Deletes connection `id`; `true` when it existed. */
export async function deleteConnection(db: Queryable, id: string): Promise<boolean> {
  validateConnectionId(id);
  const rows = rowsOf(await db.raw(`DELETE FROM sluice_connections WHERE conn_id = ? RETURNING conn_id`, [id]));
  return rows.length > 0;
}

/** Inserts or replaces variable `key` (keys use letters, digits, `_ . -` like connection ids). */
export async function setVariable(db: Queryable, key: string, value: string, description?: string): Promise<void> {
  validateVariableKey(key);
  if (typeof value !== 'string') throw new ConnectionError(`variable ${quoteId(key)}: value must be a string`);
  await db.raw(
    `INSERT INTO sluice_variables (key, value, description, updated_at) VALUES (?, ?, ?, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, description = EXCLUDED.description, updated_at = now()`,
    [key, value, description ?? null],
  );
}

/** The stored value of variable `key`, or `undefined`. */
export async function getVariable(db: Queryable, key: string): Promise<string | undefined> {
  validateVariableKey(key);
  const rows = rowsOf(await db.raw(`SELECT value FROM sluice_variables WHERE key = ?`, [key]));
  return rows[0] ? String(rows[0].value) : undefined;
}

/** Every stored variable, by key. */
export async function listVariables(db: Queryable): Promise<VariableRecord[]> {
  const rows = rowsOf(await db.raw(`SELECT key, value, description, updated_at FROM sluice_variables ORDER BY key`));
  return rows.map((r) => ({
    key: String(r.key),
    value: String(r.value),
    description: (r.description as string | null) ?? null,
    updatedAt: toDate(r.updated_at) ?? new Date(0),
  }));
}

/** Deletes variable `key`; `true` when it existed. */
export async function deleteVariable(db: Queryable, key: string): Promise<boolean> {
  validateVariableKey(key);
  const rows = rowsOf(await db.raw(`DELETE FROM sluice_variables WHERE key = ? RETURNING key`, [key]));
  return rows.length > 0;
}

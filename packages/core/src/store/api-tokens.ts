import { rowsOf, toDate, type Queryable } from './rows.js';

/** Role of an API token: `read-only` may only read (GET); `admin` may also trigger, clear, mark, pause. */
export type ApiRole = 'admin' | 'read-only';

/** An API token as listed: never the token itself, nor its hash. */
export interface ApiTokenRecord {
  id: number;
  name: string;
  role: ApiRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toApiToken(r: Record<string, unknown>): ApiTokenRecord {
  return {
    id: Number(r.id),
    name: String(r.name),
    role: r.role as ApiRole,
    createdAt: toDate(r.created_at) as Date,
    lastUsedAt: toDate(r.last_used_at),
    revokedAt: toDate(r.revoked_at),
  };
}

/**
 * Stores a new token by its hash. Returns undefined when an active token already has this name
 * (the partial unique index on active names).
 */
export async function insertApiToken(db: Queryable, t: { name: string; role: ApiRole; tokenHash: string }): Promise<ApiTokenRecord | undefined> {
  const row = rowsOf(
    await db.raw(
      `INSERT INTO sluice_api_tokens (name, role, token_hash) VALUES (?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING id, name, role, created_at, last_used_at, revoked_at`,
      [t.name, t.role, t.tokenHash],
    ),
  )[0];
  return row ? toApiToken(row) : undefined;
}

/** The active (not revoked) token with this hash, or undefined. */
export async function findActiveApiToken(db: Queryable, tokenHash: string): Promise<ApiTokenRecord | undefined> {
  const row = rowsOf(
    await db.raw(`SELECT id, name, role, created_at, last_used_at, revoked_at FROM sluice_api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, [tokenHash]),
  )[0];
  return row ? toApiToken(row) : undefined;
}

/** Records a use of the token (at most once a minute per token, to keep reads cheap). */
export async function touchApiToken(db: Queryable, id: number): Promise<void> {
  await db.raw(
    `UPDATE sluice_api_tokens SET last_used_at = now() WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

/** Tokens, newest first; revoked ones only when `includeRevoked`. */
export async function listApiTokens(db: Queryable, includeRevoked = false): Promise<ApiTokenRecord[]> {
  const rows = rowsOf(
    await db.raw(
      `SELECT id, name, role, created_at, last_used_at, revoked_at FROM sluice_api_tokens
       WHERE ? OR revoked_at IS NULL ORDER BY id DESC`,
      [includeRevoked],
    ),
  );
  return rows.map(toApiToken);
}

/** Number of active tokens (the API refuses `--auth` without any). */
export async function countActiveApiTokens(db: Queryable): Promise<number> {
  const row = rowsOf(await db.raw(`SELECT count(*) AS n FROM sluice_api_tokens WHERE revoked_at IS NULL`))[0];
  return Number(row?.n ?? 0);
}

/** Revokes the active token with this name. Returns false when there is none. */
export async function revokeApiToken(db: Queryable, name: string): Promise<boolean> {
  const rows = rowsOf(await db.raw(`UPDATE sluice_api_tokens SET revoked_at = now() WHERE name = ? AND revoked_at IS NULL RETURNING id`, [name]));
  return rows.length > 0;
}

import type { AssetEvent } from '../authoring/task.js';
import { rowsOf, toDate, toJson, type Queryable } from './rows.js';

/** An `sluice_asset_events` row as an AssetEvent. */
export function toAssetEvent(r: Record<string, unknown>): AssetEvent {
  return {
    id: Number(r.id),
    uri: String(r.uri),
    dagId: String(r.dag_id ?? ''),
    runId: String(r.run_id ?? ''),
    taskId: String(r.task_id ?? ''),
    metadata: toJson(r.metadata),
    createdAt: toDate(r.created_at) as Date,
  };
}

/** Latest event id per asset URI (0 when none). */
export async function latestAssetEventIds(db: Queryable, uris: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(uris.map((u) => [u, 0]));
  if (uris.length === 0) return out;
  const rows = rowsOf(await db.raw(`SELECT uri, max(id) AS id FROM sluice_asset_events WHERE uri = ANY(?::text[]) GROUP BY uri`, [[...uris]]));
  for (const r of rows) out[String(r.uri)] = Number(r.id);
  return out;
}

/** The last consumed event id per asset for an asset-scheduled DAG (0 when none). */
export async function getAssetCursors(db: Queryable, dagId: string, uris: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(uris.map((u) => [u, 0]));
  const rows = rowsOf(await db.raw(`SELECT uri, last_event_id FROM sluice_asset_cursors WHERE dag_id = ?`, [dagId]));
  for (const r of rows) if (String(r.uri) in out) out[String(r.uri)] = Number(r.last_event_id);
  return out;
}

/**
 * Advances the DAG's cursors from `from` to `to` (guarded: only if still at `from`) and returns the ids of
 * the consumed events, or undefined when another scheduler consumed them first.
 */
export async function consumeAssetEvents(
  db: Queryable,
  dagId: string,
  from: Readonly<Record<string, number>>,
  to: Readonly<Record<string, number>>,
): Promise<number[] | undefined> {
  for (const [uri, toId] of Object.entries(to)) {
    const fromId = from[uri] ?? 0;
    const rows = rowsOf(
      await db.raw(
        `INSERT INTO sluice_asset_cursors (dag_id, uri, last_event_id) VALUES (?, ?, ?)
         ON CONFLICT (dag_id, uri) DO UPDATE SET last_event_id = EXCLUDED.last_event_id
         WHERE sluice_asset_cursors.last_event_id = ?
         RETURNING uri`,
        [dagId, uri, toId, fromId],
      ),
    );
    if (rows.length === 0) return undefined;
  }
  const ids: number[] = [];
  for (const [uri, toId] of Object.entries(to)) {
    const rows = rowsOf(await db.raw(`SELECT id FROM sluice_asset_events WHERE uri = ? AND id > ? AND id <= ? ORDER BY id`, [uri, from[uri] ?? 0, toId]));
    ids.push(...rows.map((r) => Number(r.id)));
  }
  return ids.sort((a, b) => a - b);
}

/** Asset events by id, oldest first. */
export async function getAssetEvents(db: Queryable, ids: readonly number[]): Promise<AssetEvent[]> {
  if (ids.length === 0) return [];
  return rowsOf(await db.raw(`SELECT * FROM sluice_asset_events WHERE id = ANY(?::bigint[]) ORDER BY id`, [[...ids]])).map(toAssetEvent);
}

/** Recent events, newest first, optionally of one asset. */
export async function listAssetEvents(db: Queryable, q: { uri?: string; limit?: number } = {}): Promise<AssetEvent[]> {
  const rows = rowsOf(
    await db.raw(`SELECT * FROM sluice_asset_events WHERE (?::text IS NULL OR uri = ?::text) ORDER BY id DESC LIMIT ?`, [
      q.uri ?? null,
      q.uri ?? null,
      q.limit ?? 100,
    ]),
  );
  return rows.map(toAssetEvent);
}

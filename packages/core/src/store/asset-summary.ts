import type { AssetEvent } from '../authoring/task.js';
import { rowsOf, toDate, toJson, type Queryable } from './rows.js';

/** An asset with its newest events. */
export interface AssetSummary {
  uri: string;
  lastEventAt: Date;
  /** Newest first. */
  events: AssetEvent[];
}

/** Every asset that has events, with its `perAsset` newest events (a lateral index lookup per asset). */
export async function listAssetSummaries(db: Queryable, perAsset: number): Promise<AssetSummary[]> {
  const rows = rowsOf(
    await db.raw(
      `SELECT e.* FROM (SELECT DISTINCT uri FROM sluice_asset_events) AS u
       CROSS JOIN LATERAL (SELECT * FROM sluice_asset_events x WHERE x.uri = u.uri ORDER BY x.id DESC LIMIT ?) e
       ORDER BY e.uri, e.id DESC`,
      [perAsset],
    ),
  );
  const out = new Map<string, AssetSummary>();
  for (const r of rows) {
    const event: AssetEvent = {
      id: Number(r.id),
      uri: String(r.uri),
      dagId: String(r.dag_id ?? ''),
      runId: String(r.run_id ?? ''),
      taskId: String(r.task_id ?? ''),
      metadata: toJson(r.metadata),
      createdAt: toDate(r.created_at) as Date,
    };
    const summary = out.get(event.uri) ?? { uri: event.uri, lastEventAt: event.createdAt, events: [] };
    summary.events.push(event);
    out.set(event.uri, summary);
  }
  return [...out.values()];
}

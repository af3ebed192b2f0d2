import type { AssetEvent } from '../authoring/task.js';
import { toAssetEvent } from './assets.js';
import { rowsOf, type Queryable } from './rows.js';

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
    const event = toAssetEvent(r);
    const summary = out.get(event.uri) ?? { uri: event.uri, lastEventAt: event.createdAt, events: [] };
    summary.events.push(event);
    out.set(event.uri, summary);
  }
  return [...out.values()];
}

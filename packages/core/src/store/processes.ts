import { hostname } from 'node:os';
import type { Queryable } from './rows.js';

/** The kinds of process that keep a row in `sluice_processes`. */
export type ProcessKind = 'scheduler' | 'worker';

/** Creates or refreshes this process's row: `heartbeat_at = now()` in database time, not stopped. */
export async function heartbeatProcess(db: Queryable, id: string, kind: ProcessKind): Promise<void> {
  await db.raw(
    `INSERT INTO sluice_processes (id, kind, hostname, pid) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`,
    [id, kind, hostname(), process.pid],
  );
}

/** Records that the process stopped cleanly. */
export async function markProcessStopped(db: Queryable, id: string): Promise<void> {
  await db.raw(`UPDATE sluice_processes SET stopped_at = now() WHERE id = ?`, [id]);
}

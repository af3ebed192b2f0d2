import type { Queryable } from './rows.js';

/** The channel schedulers and workers LISTEN on. */
export const WAKEUP_CHANNEL = 'sluice_wakeup';

/**
 * What happened: `queued` (task instances became claimable: workers should claim), `finished` (an attempt
 * ended: schedulers should advance its run), `run` (a run was created or triggered).
 */
export type WakeupKind = 'queued' | 'finished' | 'run';

/**
 * Sends a wake-up on {@link WAKEUP_CHANNEL}. Call it inside the transaction that made the change: Postgres
 * delivers the notification on commit, and drops it on rollback. A plain statement (no session state), so
 * it works through PgBouncer in transaction pooling mode.
 */
export async function notifyWakeup(db: Queryable, kind: WakeupKind): Promise<void> {
  await db.raw('SELECT pg_notify(?, ?)', [WAKEUP_CHANNEL, kind]);
}

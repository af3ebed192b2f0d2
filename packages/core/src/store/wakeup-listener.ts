import pg from 'pg';
import { silentLogger, type Logger } from '../logger.js';
import { redactUrl, type Database } from './database.js';
import { WAKEUP_CHANNEL, type WakeupKind } from './notify.js';

/** Options of {@link WakeupListener}. */
export interface WakeupListenerOptions {
  /** A direct Postgres URL (not through a transaction-pooling PgBouncer: LISTEN is session state). */
  url: string;
  /**
   * Called for every notification, and with `reconnected` once the listener is (re)connected: whatever
   * was sent while it was down is lost, so the caller should look for work then.
   */
  onWakeup: (kind: WakeupKind | 'reconnected') => void;
  logger?: Logger;
  /** First reconnect delay; doubles up to 30 s. Default 250 ms. */
  reconnectDelayMs?: number;
}

const MAX_RECONNECT_DELAY_MS = 30_000;
const KINDS = new Set<string>(['queued', 'finished', 'run']);

/**
 * A dedicated connection that `LISTEN`s on {@link WAKEUP_CHANNEL} and reconnects with backoff when it
 * drops (server restart, network). Callers keep polling: while the listener is down they simply wake
 * up on their poll interval.
 */
export class WakeupListener {
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: WakeupListenerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** True while the LISTEN connection is up. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connects (in the background when it fails: see {@link WakeupListener}). Resolves after the first try. */
  start(): Promise<void> {
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 10_000, keepAlive: true });
    let dropped = false;
    const onDrop = (error?: Error): void => {
      if (dropped) return;
      dropped = true;
      client.removeAllListeners('notification');
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn('wake-up listener lost its connection; polling until it is back', { error: error?.message ?? 'connection ended' });
      this.scheduleReconnect();
    };
    client.on('error', onDrop);
    client.on('end', () => onDrop());
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKEUP_CHANNEL}`);
    } catch (error) {
      if (!dropped) {
        dropped = true;
        void client.end().catch(() => undefined);
        if (!this.closed) {
          if (this.failures === 0) {
            this.logger.warn('wake-up listener could not connect; polling until it can', { url: redactUrl(this.options.url), error: (error as Error).message });
          }
          this.scheduleReconnect();
        }
      }
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    client.on('notification', (message) => {
      const kind = message.payload ?? '';
      if (KINDS.has(kind)) this.options.onWakeup(kind as WakeupKind);
    });
    this.client = client;
    if (this.failures > 0) this.logger.info('wake-up listener reconnected');
    this.failures = 0;
    this.options.onWakeup('reconnected');
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, (this.options.reconnectDelayMs ?? 250) * 2 ** this.failures);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.start();
    }, delay);
    this.retryTimer.unref();
  }

  /** Stops listening and closes the connection. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * Where to LISTEN, from the environment: nothing when `SLUICE_LISTEN=off` (or `listen: false`), or the
 * database is PGlite; else `SLUICE_DATABASE_LISTEN_URL` (a direct connection when the main URL goes
 * through a transaction-pooling PgBouncer), else the database's own URL.
 */
export function resolveListenUrl(env: NodeJS.ProcessEnv, db: Database, listen = true): string | undefined {
  if (!listen || /^(off|false|0|no)$/i.test(env['SLUICE_LISTEN']?.trim() ?? '')) return undefined;
  const explicit = env['SLUICE_DATABASE_LISTEN_URL']?.trim();
  if (explicit) return explicit;
  return db.kind === 'postgres' ? db.url : undefined;
}

import { systemClock, type Clock } from '../clock.js';
import { ConnectionError, NotFoundError, ValidationError, isErrorNamed } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { normalizeConnectionType, quoteId, validateConnection } from './connection-schema.js';
import type { Connection, SecretsBackend } from './types.js';

/** Registers a connection's secret values with a redactor (defined in `redact.ts`). */
export { registerSecretValues } from './redact.js';

/** Options of {@link SecretsResolver}. */
export interface SecretsResolverOptions {
  /** How long a found connection or variable is reused, in milliseconds. Default 60 000; 0 disables. */
  ttlMs?: number;
  /** Source of "now" for the cache (tests pass a ManualClock). */
  clock?: Clock;
  /** Where backend failures are logged (without secret values). */
  logger?: Logger;
}

/** Default cache lifetime of resolved connections and variables. */
export const DEFAULT_SECRETS_TTL_MS = 60_000;

interface CacheEntry<T> {
  value: T;
  storedAt: number;
}

type Kind = 'connection' | 'variable';

/**
 * Resolves connections and variables through an ordered chain of backends: the first backend that has
 * the id wins. Hits are cached for `ttlMs` (misses are not); concurrent lookups of one id share a
 * single walk of the chain. A backend that throws stops the walk (falling through could silently pick
 * another backend's stale value): the failure is logged and surfaces as a ConnectionError whose `cause`
 * is the backend's error and whose message holds no secret.
 */
export class SecretsResolver {
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly cache = new Map<string, CacheEntry<Connection | string>>();
  private readonly pending = new Map<string, Promise<Connection | string | undefined>>();

  constructor(
    private readonly backends: readonly SecretsBackend[],
    options: SecretsResolverOptions = {},
  ) {
    const ttlMs = options.ttlMs ?? DEFAULT_SECRETS_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new ValidationError('ttlMs must be a non-negative number', 'ttlMs');
    this.ttlMs = ttlMs;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /** Names of the backends, in the order they are consulted. */
  get backendNames(): string[] {
    return this.backends.map((b) => b.name);
  }

  /**
   * The connection `id` from the first backend that has it (a copy the caller may change).
   * @throws NotFoundError listing the backends tried; ConnectionError when a backend fails.
   */
  async getConnection(id: string): Promise<Connection> {
    const found = (await this.lookup('connection', id)) as Connection | undefined;
    if (!found) {
      throw new NotFoundError(`connection ${quoteId(id)} was not found in any secrets backend (tried: ${this.describeChain()})`);
    }
    return copyConnection(found);
  }

  /**
   * The variable `key` from the first backend that has it, or `undefined`.
   * @throws ConnectionError when a backend fails.
   */
  async getVariable(key: string): Promise<string | undefined> {
    return (await this.lookup('variable', key)) as string | undefined;
  }

  /** Forgets every cached value (e.g. after `sluice connections add`). */
  clearCache(): void {
    this.cache.clear();
  }

  private describeChain(): string {
    return this.backends.length > 0 ? this.backendNames.join(', ') : 'no backends configured';
  }

  private async lookup(kind: Kind, key: string): Promise<Connection | string | undefined> {
    const cacheKey = `${kind}:${key}`;
    if (this.ttlMs > 0) {
      const entry = this.cache.get(cacheKey);
      if (entry && this.clock.now().getTime() - entry.storedAt < this.ttlMs) return entry.value;
      this.cache.delete(cacheKey);
    }
    const inFlight = this.pending.get(cacheKey);
    if (inFlight) return inFlight;
    const walk = this.walkChain(kind, key).finally(() => this.pending.delete(cacheKey));
    this.pending.set(cacheKey, walk);
    const value = await walk;
    if (value !== undefined && this.ttlMs > 0) {
      this.cache.set(cacheKey, { value, storedAt: this.clock.now().getTime() });
    }
    return value;
  }

  private async walkChain(kind: Kind, key: string): Promise<Connection | string | undefined> {
    for (const backend of this.backends) {
      let value: Connection | string | undefined;
      try {
        value = kind === 'connection' ? await backend.getConnection(key) : await backend.getVariable(key);
        if (value !== undefined) value = checkValue(kind, key, value);
      } catch (error) {
        throw this.backendFailure(backend.name, kind, key, error);
      }
      if (value !== undefined) {
        this.logger.debug(`${kind} resolved`, { [kind === 'connection' ? 'connectionId' : 'variable']: key, backend: backend.name });
        return value;
      }
    }
    return undefined;
  }

  private backendFailure(backend: string, kind: Kind, key: string, error: unknown): ConnectionError {
    const reason = describeFailure(error);
    this.logger.warn('secrets backend failed', { backend, kind, key, error: reason });
    return new ConnectionError(`${kind} ${quoteId(key)}: secrets backend '${backend}' failed: ${reason}`, { cause: error });
  }
}

/**
 * A failure's description safe to print. Sluice's own ConnectionErrors are built without values, so their
 * message is kept; any other error is described by its name (and code) only, as its message may quote
 * the secret text it failed on (JSON.parse does).
 */
function describeFailure(error: unknown): string {
  if (isErrorNamed(error, 'ConnectionError')) return (error as Error).message;
  if (typeof error !== 'object' || error === null) return 'unknown error';
  const { name, code } = error as { name?: unknown; code?: unknown };
  const label = typeof name === 'string' && name ? name : 'Error';
  return typeof code === 'string' || typeof code === 'number' ? `${label} (${code})` : label;
}

/** Validates what a backend returned, so a buggy plugin backend cannot hand out a malformed connection. */
function checkValue(kind: Kind, key: string, value: unknown): Connection | string {
  if (kind === 'variable') {
    if (typeof value !== 'string') throw new ConnectionError(`variable ${quoteId(key)}: backend returned a non-string value`);
    return value;
  }
  if (typeof value !== 'object' || value === null) {
    throw new ConnectionError(`connection ${quoteId(key)}: backend returned a non-object value`);
  }
  const { id, type, host, port, login, password, schema, extra } = value as Partial<Connection>;
  const normalizedType = typeof type === 'string' ? normalizeConnectionType(type) : type;
  return validateConnection({ id, type: normalizedType, host, port, login, password, schema, extra: extra ?? {} });
}

function copyConnection(c: Connection): Connection {
  let extra: Record<string, unknown>;
  try {
    extra = structuredClone(c.extra);
  } catch {
    extra = { ...c.extra };
  }
  return { ...c, extra };
}

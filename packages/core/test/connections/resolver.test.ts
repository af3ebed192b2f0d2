import { describe, expect, it } from 'vitest';
import { SecretsResolver } from '../../src/connections/resolver.js';
import type { Connection, SecretsBackend } from '../../src/connections/types.js';
import { ManualClock } from '../../src/clock.js';
import { ConnectionError, NotFoundError, ValidationError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/logger.js';

class FakeBackend implements SecretsBackend {
  calls: string[] = [];
  failWith: unknown;
  constructor(
    readonly name: string,
    public connections: Record<string, Connection> = {},
    public variables: Record<string, string> = {},
  ) {}
  async getConnection(id: string): Promise<Connection | undefined> {
    this.calls.push(`conn:${id}`);
    if (this.failWith !== undefined) throw this.failWith;
    return Object.hasOwn(this.connections, id) ? this.connections[id] : undefined;
  }
  async getVariable(key: string): Promise<string | undefined> {
    this.calls.push(`var:${key}`);
    if (this.failWith !== undefined) throw this.failWith;
    return Object.hasOwn(this.variables, key) ? this.variables[key] : undefined;
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const conn = (id: string, host: string): Connection => ({ id, type: 'http', host, password: 'pw-secret-1', extra: { token: 't0k3n' } });

function setup(ttlMs?: number) {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const env = new FakeBackend('environment', { shared: conn('shared', 'env-host') }, { color: 'blue' });
  const store = new FakeBackend('metadata-store', { shared: conn('shared', 'store-host'), db: conn('db', 'store-db') }, { color: 'red', size: 'xl' });
  const logger = new MemoryLogger();
  const resolver = new SecretsResolver([env, store], { clock, logger, ...(ttlMs === undefined ? {} : { ttlMs }) });
  return { clock, env, store, logger, resolver };
}

describe('SecretsResolver', () => {
  it('returns the first hit in chain order and falls through misses', async () => {
    const { env, store, resolver } = setup();
    expect((await resolver.getConnection('shared')).host).toBe('env-host');
    expect(store.calls).toEqual([]);
    expect((await resolver.getConnection('db')).host).toBe('store-db');
    expect(env.calls).toEqual(['conn:shared', 'conn:db']);
    expect(await resolver.getVariable('color')).toBe('blue');
    expect(await resolver.getVariable('size')).toBe('xl');
    expect(await resolver.getVariable('nope')).toBeUndefined();
    expect(resolver.backendNames).toEqual(['environment', 'metadata-store']);
  });

  it('throws NotFoundError listing the backends tried', async () => {
    const { resolver } = setup();
    const error = await rejection(resolver.getConnection('ghost'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe("connection 'ghost' was not found in any secrets backend (tried: environment, metadata-store)");
    await expect(new SecretsResolver([]).getConnection('x')).rejects.toThrow('no backends configured');
  });

  it('caches hits for ttlMs (default 60s) by the clock, but not misses', async () => {
    const { clock, env, store, resolver } = setup();
    await resolver.getConnection('db');
    env.connections.db = conn('db', 'env-db-new');
    clock.advance(59_999);
    expect((await resolver.getConnection('db')).host).toBe('store-db');
    clock.advance(1);
    expect((await resolver.getConnection('db')).host).toBe('env-db-new');

    expect(await resolver.getVariable('later')).toBeUndefined();
    store.variables.later = 'now here';
    expect(await resolver.getVariable('later')).toBe('now here');
    store.variables.later = 'changed';
    expect(await resolver.getVariable('later')).toBe('now here');
    resolver.clearCache();
    expect(await resolver.getVariable('later')).toBe('changed');
  });

  it('does not cache with ttlMs 0, and rejects a negative ttl', async () => {
    const { env, resolver } = setup(0);
    await resolver.getVariable('color');
    await resolver.getVariable('color');
    expect(env.calls).toEqual(['var:color', 'var:color']);
    expect(() => new SecretsResolver([], { ttlMs: -1 })).toThrow(ValidationError);
  });

  it('hands out copies, so callers cannot change the cache', async () => {
    const { resolver } = setup();
    const first = await resolver.getConnection('db');
    first.host = 'mutated';
    (first.extra as Record<string, unknown>).token = 'mutated';
    const second = await resolver.getConnection('db');
    expect(second.host).toBe('store-db');
    expect(second.extra.token).toBe('t0k3n');
  });

  it('shares one chain walk between concurrent lookups', async () => {
    const { env, resolver } = setup();
    await Promise.all([resolver.getConnection('db'), resolver.getConnection('db'), resolver.getConnection('db')]);
    expect(env.calls).toEqual(['conn:db']);
  });

  it('surfaces a failing backend as ConnectionError with cause, logged, without secrets', async () => {
    const { env, store, logger, resolver } = setup();
    const cause = new SyntaxError('Unexpected token in JSON: {"password":"hunter2-secret"');
    env.failWith = cause;
    const error = await rejection(resolver.getConnection('db'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe("connection 'db': secrets backend 'environment' failed: SyntaxError");
    expect(error.cause).toBe(cause);
    expect(store.calls).toEqual([]);
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
    expect(logger.lines).toMatchObject([{ level: 'warn', message: 'secrets backend failed', fields: { backend: 'environment', kind: 'connection', key: 'db' } }]);

    const coded = Object.assign(new Error('AccessDenied for secret value xyz'), { name: 'AccessDeniedException', code: 'AccessDenied' });
    env.failWith = coded;
    await expect(resolver.getVariable('color')).rejects.toThrow("variable 'color': secrets backend 'environment' failed: AccessDeniedException (AccessDenied)");
  });

  it('keeps the message of Sluice ConnectionErrors, which never hold values', async () => {
    const { env, resolver } = setup();
    env.failWith = new ConnectionError("connection 'db': field 'port' must be a number from 0 to 65535");
    await expect(resolver.getConnection('db')).rejects.toThrow(
      "connection 'db': secrets backend 'environment' failed: connection 'db': field 'port' must be a number",
    );
  });

  it('validates what backends return', async () => {
    const { env, resolver } = setup();
    env.connections.bad = { id: 'bad', type: 'http', port: 123456, password: 'leaky-pass', extra: {} };
    const error = await rejection(resolver.getConnection('bad'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain("field 'port'");
    expect(error.message).not.toContain('leaky-pass');
    env.connections.upper = { id: 'upper', type: 'Google-Cloud', extra: undefined as unknown as Record<string, unknown> };
    expect(await resolver.getConnection('upper')).toEqual({ id: 'upper', type: 'google_cloud', extra: {} });
    (env.variables as Record<string, unknown>).num = 5;
    await expect(resolver.getVariable('num')).rejects.toThrow('non-string');
  });
});

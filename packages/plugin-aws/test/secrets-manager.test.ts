import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConfiguredSecretsBackends,
  EnvironmentSecretsBackend,
  parseSecretsBackendsConfig,
  PluginRegistry,
  SecretsResolver,
} from '@sluice/core';
import { ManualClock } from '@sluice/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { plugin, SecretsManagerBackend, type SecretsManagerBackendOptions } from '../src/index.js';
import { startSecretsManagerServer, type LocalSecretsManagerServer } from '../src/testing/index.js';

let server: LocalSecretsManagerServer;
const backends: SecretsManagerBackend[] = [];

beforeAll(async () => {
  server = await startSecretsManagerServer();
  server.setSecret('sluice/connections/warehouse', 'postgres://loader:p%40ss-w0rd@db.internal:5439/analytics?sslmode=require');
  server.setSecret(
    'airflow/connections/redshift_default',
    JSON.stringify({ conn_type: 'redshift', user: 'etl', pass: 'hunter2-secret', server: 'rs.example.com', port: '5439', database: 'dev', extra: { region: 'us-east-1' } }),
  );
  server.setSecret('sluice/variables/bucket', 'lake-prod');
  server.setSecret('airflow/variables/env', 'prod');
});

afterEach(() => {
  for (const backend of backends.splice(0)) backend.destroy();
});

afterAll(async () => {
  await server?.stop();
});

function backend(options: SecretsManagerBackendOptions = {}, clock?: ManualClock): SecretsManagerBackend {
  const created = new SecretsManagerBackend(server.backendOptions(options), clock ? { clock } : {});
  backends.push(created);
  return created;
}

describe('SecretsManagerBackend', () => {
  it('reads a connection URI under the default prefix', async () => {
    expect(await backend().getConnection('warehouse')).toEqual({
      id: 'warehouse',
      type: 'postgres',
      login: 'loader',
      password: 'p@ss-w0rd',
      host: 'db.internal',
      port: 5439,
      schema: 'analytics',
      extra: { sslmode: 'require' },
    });
    expect(await backend().getVariable('bucket')).toBe('lake-prod');
  });

  it("reads Airflow-written JSON with Airflow's aliases under Airflow's prefixes", async () => {
    const airflow = backend({ connectionsPrefix: 'airflow/connections', variablesPrefix: 'airflow/variables' });
    expect(await airflow.getConnection('redshift_default')).toMatchObject({
      id: 'redshift_default',
      type: 'redshift',
      login: 'etl',
      password: 'hunter2-secret',
      host: 'rs.example.com',
      port: 5439,
      schema: 'dev',
      extra: { region: 'us-east-1' },
    });
    expect(await airflow.getVariable('env')).toBe('prod');
    expect(server.requests).toContain('airflow/connections/redshift_default');
  });

  it('falls through on a missing secret to the next backend in a SecretsResolver chain', async () => {
    const resolver = new SecretsResolver(
      [backend(), new EnvironmentSecretsBackend({ SLUICE_CONN_FALLBACK: 'http://example.com', SLUICE_VAR_ONLY_ENV: 'x' })],
      { ttlMs: 0 },
    );
    expect(await backend().getConnection('fallback')).toBeUndefined();
    expect(await resolver.getConnection('fallback')).toMatchObject({ type: 'http', host: 'example.com' });
    expect(await resolver.getVariable('only_env')).toBe('x');
    expect(await resolver.getVariable('nowhere')).toBeUndefined();
    await expect(resolver.getConnection('nowhere')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('caches values and misses for ttlMs on its clock', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const cached = backend({ ttlMs: 60_000 }, clock);
    const count = (): number => server.requests.filter((id) => id === 'sluice/variables/bucket').length;
    const before = count();
    expect(await cached.getVariable('bucket')).toBe('lake-prod');
    server.setSecret('sluice/variables/bucket', 'lake-rotated');
    clock.advance(59_000);
    expect(await cached.getVariable('bucket')).toBe('lake-prod');
    expect(count()).toBe(before + 1);
    clock.advance(1_000);
    expect(await cached.getVariable('bucket')).toBe('lake-rotated');
    expect(count()).toBe(before + 2);
    server.setSecret('sluice/variables/bucket', 'lake-prod');
  });

  it('keeps secret values out of errors', async () => {
    server.setSecret('sluice/connections/broken', '{"password": "hunter2-secret", "host": ');
    const parseError = (await backend().getConnection('broken').catch((e: unknown) => e)) as Error;
    expect(parseError).toMatchObject({ name: 'ConnectionError' });
    expect(parseError.message).not.toContain('hunter2');
    server.setFailure('sluice/connections/denied', 'AccessDeniedException');
    const denied = (await backend().getConnection('denied').catch((e: unknown) => e)) as Error;
    expect(denied).toMatchObject({ name: 'SecretsManagerBackendError' });
    expect(denied.message).toBe("aws-secrets-manager: reading secret 'sluice/connections/denied' failed: AccessDeniedException");
    const resolver = new SecretsResolver([backend()], { ttlMs: 0 });
    const chained = (await resolver.getConnection('denied').catch((e: unknown) => e)) as Error;
    expect(chained).toMatchObject({ name: 'ConnectionError' });
  });

  it('disables a kind when its prefix is null', async () => {
    const requests = server.requests.length;
    expect(await backend({ variablesPrefix: null }).getVariable('bucket')).toBeUndefined();
    expect(server.requests.length).toBe(requests);
  });

  it('is created through the plugin registry as SLUICE_SECRETS_BACKENDS configures it', async () => {
    const registry = new PluginRegistry();
    registry.register(plugin);
    const created = registry.createSecretsBackend('aws-secrets-manager', server.backendOptions({ connectionsPrefix: 'airflow/connections' }));
    expect(created.name).toBe('aws-secrets-manager');
    expect(await created.getConnection('redshift_default')).toMatchObject({ login: 'etl' });
    (created as SecretsManagerBackend).destroy();
    expect(() => registry.createSecretsBackend('aws-secrets-manager', { ttlMs: -1 })).toThrow(/ttlMs/);
  });

  it('loads from SLUICE_SECRETS_BACKENDS through the package (built dist)', async () => {
    const config = JSON.stringify([
      { plugin: '@sluice/plugin-aws', backend: 'aws-secrets-manager', options: server.backendOptions({ variablesPrefix: 'airflow/variables' }) },
    ]);
    // A project folder with the plugin installed (linked), as an application would have it.
    const project = await mkdtemp(join(tmpdir(), 'sluice-aws-project-'));
    try {
      await mkdir(join(project, 'node_modules', '@sluice'), { recursive: true });
      await symlink(fileURLToPath(new URL('..', import.meta.url)), join(project, 'node_modules', '@sluice', 'plugin-aws'), 'dir');
      const [configured] = await createConfiguredSecretsBackends(parseSecretsBackendsConfig(config), project);
      expect(configured?.name).toBe('aws-secrets-manager');
      expect(await configured?.getVariable('env')).toBe('prod');
      (configured as unknown as { destroy(): void }).destroy();
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

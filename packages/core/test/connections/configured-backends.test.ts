import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConfiguredSecretsBackends, parseSecretsBackendsConfig } from '../../src/connections/configured-backends.js';
import { EnvironmentSecretsBackend } from '../../src/connections/env-backend.js';
import { SecretsResolver } from '../../src/connections/resolver.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-backends-'));
  const pkg = join(root, 'node_modules', 'sluice-plugin-vault');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'sluice-plugin-vault', version: '1.0.0', type: 'module', main: 'index.js' }));
  await writeFile(
    join(pkg, 'index.js'),
    `export const plugin = {
  manifest: { name: 'sluice-plugin-vault', version: '1.0.0', secretsBackends: [{ name: 'vault' }] },
  secretsBackends: {
    vault: (options) => ({
      name: 'vault',
      getConnection: async (id) => (id === 'reddit_default' ? { id, type: 'reddit', login: options.prefix + '-client', password: 'from-vault', extra: {} } : undefined),
      getVariable: async (key) => (key === 'bucket' ? 'vault-bucket' : undefined),
    }),
  },
};`,
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it('parses SLUICE_SECRETS_BACKENDS and names the bad field', () => {
  expect(parseSecretsBackendsConfig(undefined)).toEqual([]);
  expect(parseSecretsBackendsConfig('[{"plugin":"p","backend":"b"}]')).toEqual([{ plugin: 'p', backend: 'b', options: {} }]);
  expect(() => parseSecretsBackendsConfig('[{"plugin":"p"}]')).toThrow(/SLUICE_SECRETS_BACKENDS\.0\.backend/);
  expect(() => parseSecretsBackendsConfig('{oops')).toThrow(/not valid JSON/);
});

it('adds plugin backends after the environment in the chain; the first hit wins', async () => {
  const configured = await createConfiguredSecretsBackends(parseSecretsBackendsConfig('[{"plugin":"sluice-plugin-vault","backend":"vault","options":{"prefix":"app"}}]'), root);
  const resolver = new SecretsResolver([new EnvironmentSecretsBackend({ SLUICE_VAR_BUCKET: 'env-bucket' }), ...configured], { ttlMs: 0 });
  expect(await resolver.getConnection('reddit_default')).toMatchObject({ login: 'app-client', password: 'from-vault' });
  expect(await resolver.getVariable('bucket')).toBe('env-bucket');
  await expect(resolver.getConnection('missing')).rejects.toThrow(/missing/);
});

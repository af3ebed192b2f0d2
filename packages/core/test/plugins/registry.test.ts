import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry, loadPlugins } from '../../src/plugins/registry.js';
import { definePlugin, type SluicePlugin } from '../../src/plugins/plugin.js';
import { PluginError, ValidationError } from '../../src/errors.js';
import { plugin as samplePlugin } from './sample-plugin.js';

function otherPlugin(name: string, backends: string[] = []): SluicePlugin {
  const backend = () => ({ name: 'x', getConnection: async () => undefined, getVariable: async () => undefined });
  return definePlugin({
    manifest: { name, version: '2.0.0', secretsBackends: backends.map((b) => ({ name: b })) },
    secretsBackends: Object.fromEntries(backends.map((b) => [b, backend])),
  });
}

describe('PluginRegistry', () => {
  it('lists registered manifests in order and refuses a duplicate name', () => {
    const registry = new PluginRegistry();
    registry.register(samplePlugin);
    registry.register(otherPlugin('sluice-plugin-other'));
    expect(registry.list().map((m) => m.name)).toEqual(['@sluice-test/plugin-sample', 'sluice-plugin-other']);
    expect(registry.get('sluice-plugin-other')?.manifest.version).toBe('2.0.0');
    expect(() => registry.register(otherPlugin('sluice-plugin-other'))).toThrow(
      new PluginError("plugin 'sluice-plugin-other' is already registered"),
    );
  });

  it('refuses a secrets backend name another plugin provides', () => {
    const registry = new PluginRegistry();
    registry.register(samplePlugin);
    expect(() => registry.register(otherPlugin('sluice-plugin-clash', ['sample-memory']))).toThrow(
      "plugin 'sluice-plugin-clash': secrets backend 'sample-memory' is already provided by plugin '@sluice-test/plugin-sample'",
    );
    expect(registry.list()).toHaveLength(1);
  });

  it('re-validates plugins that did not go through definePlugin', () => {
    const registry = new PluginRegistry();
    const forged = { manifest: { name: 'p', version: 'v1', operators: [], sensors: [], hooks: [], connectionTypes: [], secretsBackends: [] } };
    expect(() => registry.register(forged)).toThrow(/plugin 'p': manifest field 'version'/);
  });

  it('creates secrets backends from their plugin, passing the options', async () => {
    const registry = new PluginRegistry();
    registry.register(samplePlugin);
    const backend = registry.createSecretsBackend('sample-memory', { connections: { api: 'https://api.example.com' } });
    expect(backend.name).toBe('sample-memory');
    expect(await backend.getConnection('api')).toMatchObject({ type: 'https', host: 'api.example.com' });
  });

  it('explains unknown backends, failing factories and factories returning no backend', () => {
    const registry = new PluginRegistry();
    registry.register(samplePlugin);
    expect(() => registry.createSecretsBackend('vault', {})).toThrow(
      "no plugin provides secrets backend 'vault' (available: sample-memory)",
    );
    const error = (() => {
      try {
        registry.createSecretsBackend('sample-memory', { connections: 5 });
      } catch (e) {
        return e as PluginError;
      }
    })();
    expect(error).toBeInstanceOf(PluginError);
    expect(error?.message).toMatch(/secrets backend 'sample-memory' could not be created: sample-memory: options/);
    expect(error?.cause).toBeInstanceOf(ValidationError);
    const broken = definePlugin({
      manifest: { name: 'sluice-plugin-broken', version: '1.0.0', secretsBackends: [{ name: 'broken' }] },
      secretsBackends: { broken: () => ({}) as never },
    });
    registry.register(broken);
    expect(() => registry.createSecretsBackend('broken', {})).toThrow(/did not return a backend/);
  });
});

describe('loadPlugins', () => {
  let root = '';
  const project = () => join(root, 'project');

  async function writePackage(dir: string, packageJson: Record<string, unknown>, files: Record<string, string>): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), text);
    }
  }

  const pluginSource = (name: string, exportAs: 'plugin' | 'default') => `
const backend = (options) => ({
  name: 'fixture-env',
  getConnection: async (id) => (id === options.id ? { id, type: 'http', host: 'fixture.local', extra: {} } : undefined),
  getVariable: async () => undefined,
});
const value = {
  manifest: {
    name: ${JSON.stringify(name)},
    version: '0.3.0',
    operators: [{ name: 'fixture.noop' }],
    secretsBackends: [{ name: 'fixture-env' }],
  },
  secretsBackends: { 'fixture-env': backend },
};
${exportAs === 'plugin' ? 'export const plugin = value;' : 'export default value;'}
`;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-plugins-'));
    const modules = join(root, 'node_modules');
    await mkdir(project(), { recursive: true });
    // A plain package: `main`, named export `plugin`, found by walking up from the project directory.
    await writePackage(join(modules, 'sluice-plugin-fixture'), { name: 'sluice-plugin-fixture', version: '0.3.0', type: 'module', main: 'index.js' }, {
      'index.js': pluginSource('sluice-plugin-fixture', 'plugin'),
    });
    // A scoped, ESM-only package (`exports` with an `import` condition only), default export.
    await writePackage(
      join(modules, '@acme', 'sluice-plugin-esm'),
      { name: '@acme/sluice-plugin-esm', version: '0.3.0', type: 'module', exports: { '.': { types: './x.d.ts', import: './dist/main.js' } } },
      { 'dist/main.js': pluginSource('@acme/sluice-plugin-esm', 'default') },
    );
    await writePackage(join(modules, 'sluice-plugin-empty'), { name: 'sluice-plugin-empty', type: 'module' }, { 'index.js': 'export const other = 1;' });
    await writePackage(join(modules, 'sluice-plugin-invalid'), { name: 'sluice-plugin-invalid', type: 'module' }, {
      'index.js': "export const plugin = { manifest: { name: 'sluice-plugin-invalid', version: '1' } };",
    });
    await writePackage(join(modules, 'sluice-plugin-renamed'), { name: 'sluice-plugin-renamed', type: 'module' }, {
      'index.js': pluginSource('sluice-plugin-other-name', 'plugin'),
    });
    await writePackage(join(modules, 'sluice-plugin-throws'), { name: 'sluice-plugin-throws', type: 'module' }, {
      'index.js': "throw new Error('boom at import');",
    });
    await writePackage(join(project(), 'local-plugin'), { name: 'sluice-plugin-local', type: 'module' }, {
      'index.js': pluginSource('sluice-plugin-local', 'plugin'),
    });
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('imports packages resolved from a directory, taking `plugin` or the default export', async () => {
    const plugins = await loadPlugins(['sluice-plugin-fixture', '@acme/sluice-plugin-esm', './local-plugin'], project());
    expect(plugins.map((p) => p.manifest.name)).toEqual(['sluice-plugin-fixture', '@acme/sluice-plugin-esm', 'sluice-plugin-local']);
    expect(plugins[0]?.manifest.sensors).toEqual([]);
    const registry = new PluginRegistry();
    registry.register(plugins[0]!);
    const backend = registry.createSecretsBackend('fixture-env', { id: 'api' });
    expect(await backend.getConnection('api')).toEqual({ id: 'api', type: 'http', host: 'fixture.local', extra: {} });
  });

  it.each([
    ['sluice-plugin-missing', /plugin package 'sluice-plugin-missing' is not installed/],
    ['sluice-plugin-empty', /plugin package 'sluice-plugin-empty' exports no plugin/],
    ['sluice-plugin-invalid', /plugin 'sluice-plugin-invalid': manifest field 'version'/],
    ['sluice-plugin-renamed', /manifest field 'name' is 'sluice-plugin-other-name' but the package is 'sluice-plugin-renamed'/],
    ['sluice-plugin-throws', /plugin package 'sluice-plugin-throws' failed to import: boom at import/],
    ['./no-such-dir', /plugin package '.\/no-such-dir': no package.json/],
  ])('rejects %s with a PluginError', async (name, message) => {
    const error = await loadPlugins([name], project()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect((error as Error).message).toMatch(message);
  });
});

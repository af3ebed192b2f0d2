import type { SecretsBackend } from '../connections/types.js';
import { PluginError } from '../errors.js';
import { parsePluginManifest, pluginLabel, type PluginManifest, type PluginManifestInput } from './manifest.js';

/** Creates a secrets backend from the options the user configured for it. */
export type SecretsBackendFactory = (options: unknown) => SecretsBackend;

/**
 * What a plugin package exports (as `plugin`, or as its default export). Operators, sensors and hooks are
 * ordinary named exports of the package that DAG files import; the manifest describes them, and the
 * secrets backend factories are here so the runtime can create the backends named in its configuration.
 */
export interface SluicePlugin {
  /** The validated manifest. */
  manifest: PluginManifest;
  /** Factories of the secrets backends listed in `manifest.secretsBackends`, by the same names. */
  secretsBackends?: Record<string, SecretsBackendFactory>;
}

/** A plugin as written by its author: the manifest's lists may be left out. */
export interface SluicePluginInput {
  manifest: PluginManifestInput;
  secretsBackends?: Record<string, SecretsBackendFactory>;
}

/**
 * Declares a plugin: validates the manifest with zod and checks that `manifest.secretsBackends` and the
 * `secretsBackends` factories name the same backends. Throws {@link PluginError} naming the plugin and
 * the field. Returns the plugin with the manifest's defaults applied.
 *
 * ```ts
 * export const plugin = definePlugin({
 *   manifest: { name: 'sluice-plugin-weather', version: '1.0.0', operators: [{ name: 'weather.fetch-forecast' }] },
 * });
 * ```
 */
export function definePlugin(plugin: SluicePluginInput): SluicePlugin {
  return validatePlugin(plugin);
}

/**
 * Checks any value claimed to be a plugin (a package's export, a hand-built object): the same checks as
 * {@link definePlugin}. `source` (e.g. the package name) labels errors when the manifest has no name.
 */
export function validatePlugin(value: unknown, source?: string): SluicePlugin {
  if (typeof value !== 'object' || value === null) {
    throw new PluginError(`plugin '${source ?? '<unnamed plugin>'}': expected an object with a 'manifest'`);
  }
  const candidate = value as { manifest?: unknown; secretsBackends?: unknown };
  const manifest = parsePluginManifest(candidate.manifest, source);
  const label = pluginLabel(manifest);
  const factories = candidate.secretsBackends ?? {};
  if (typeof factories !== 'object' || factories === null || Array.isArray(factories)) {
    throw new PluginError(`plugin '${label}': field 'secretsBackends': expected an object of factories by name`);
  }
  const declared = new Set(manifest.secretsBackends.map((backend) => backend.name));
  for (const [name, factory] of Object.entries(factories)) {
    if (typeof factory !== 'function') {
      throw new PluginError(`plugin '${label}': field 'secretsBackends.${name}': expected a factory function`);
    }
    if (!declared.has(name)) {
      throw new PluginError(
        `plugin '${label}': field 'secretsBackends.${name}': not listed in manifest field 'secretsBackends'`,
      );
    }
  }
  manifest.secretsBackends.forEach((backend, index) => {
    if (!Object.hasOwn(factories, backend.name)) {
      throw new PluginError(
        `plugin '${label}': manifest field 'secretsBackends.${index}.name': no factory for '${backend.name}' in field 'secretsBackends'`,
      );
    }
  });
  return { manifest, secretsBackends: factories as Record<string, SecretsBackendFactory> };
}

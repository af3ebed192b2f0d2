import { pathToFileURL } from 'node:url';
import type { SecretsBackend } from '../connections/types.js';
import { PluginError } from '../errors.js';
import type { PluginManifest } from './manifest.js';
import { validatePlugin, type SecretsBackendFactory, type SluicePlugin } from './plugin.js';
import { resolvePackage } from './resolve-package.js';

/**
 * The plugins a Sluice process uses. Registering checks each plugin again and refuses a second plugin
 * with the same name or a secrets backend name another plugin already provides.
 */
export class PluginRegistry {
  private readonly plugins = new Map<string, SluicePlugin>();
  private readonly backends = new Map<string, { plugin: string; factory: SecretsBackendFactory }>();

  /** Adds a plugin. Throws {@link PluginError} when it is invalid or its name or a backend name is taken. */
  register(plugin: SluicePlugin): void {
    const checked = validatePlugin(plugin);
    const name = checked.manifest.name;
    if (this.plugins.has(name)) throw new PluginError(`plugin '${name}' is already registered`);
    for (const backend of checked.manifest.secretsBackends) {
      const owner = this.backends.get(backend.name);
      if (owner) {
        throw new PluginError(
          `plugin '${name}': secrets backend '${backend.name}' is already provided by plugin '${owner.plugin}'`,
        );
      }
    }
    this.plugins.set(name, checked);
    for (const [backendName, factory] of Object.entries(checked.secretsBackends ?? {})) {
      this.backends.set(backendName, { plugin: name, factory });
    }
  }

  /** The manifests of the registered plugins, in registration order. */
  list(): PluginManifest[] {
    return [...this.plugins.values()].map((plugin) => plugin.manifest);
  }

  /** The registered plugin with this name, if any. */
  get(name: string): SluicePlugin | undefined {
    return this.plugins.get(name);
  }

  /**
   * Creates the secrets backend `name` from its plugin's factory. Throws {@link PluginError} when no
   * plugin provides it (listing those that exist), when the factory throws (the error is the `cause`),
   * or when it returns something that is not a backend.
   */
  createSecretsBackend(name: string, options: unknown): SecretsBackend {
    const entry = this.backends.get(name);
    if (!entry) {
      const known = [...this.backends.keys()].sort();
      throw new PluginError(
        `no plugin provides secrets backend '${name}' (available: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    let backend: unknown;
    try {
      backend = entry.factory(options);
    } catch (error) {
      const reason = error instanceof Error ? `: ${error.message}` : '';
      throw new PluginError(`plugin '${entry.plugin}': secrets backend '${name}' could not be created${reason}`, {
        cause: error,
      });
    }
    if (!isSecretsBackend(backend)) {
      throw new PluginError(
        `plugin '${entry.plugin}': secrets backend factory '${name}' did not return a backend (name, getConnection, getVariable)`,
      );
    }
    return backend;
  }
}

function isSecretsBackend(value: unknown): value is SecretsBackend {
  const backend = value as Partial<SecretsBackend> | null | undefined;
  return (
    typeof backend === 'object' &&
    backend !== null &&
    typeof backend.name === 'string' &&
    typeof backend.getConnection === 'function' &&
    typeof backend.getVariable === 'function'
  );
}

/**
 * Imports plugin packages by npm name, resolved as an `import` from a module in `fromDir` would resolve
 * them (usually the project directory), and returns their validated plugins in the given order. Each
 * package must export a plugin as `plugin` or as its default export, and the manifest's `name` must be the
 * package's name. Throws {@link PluginError} naming the package when it is missing, fails to import, or
 * exports no valid plugin.
 */
export async function loadPlugins(names: string[], fromDir: string): Promise<SluicePlugin[]> {
  const plugins: SluicePlugin[] = [];
  for (const specifier of names) {
    const resolved = resolvePackage(specifier, fromDir);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(resolved.entry).href)) as Record<string, unknown>;
    } catch (error) {
      const reason = error instanceof Error ? `: ${error.message}` : '';
      throw new PluginError(`plugin package '${specifier}' failed to import${reason}`, { cause: error });
    }
    const exported = pluginExport(module);
    if (exported === undefined) {
      throw new PluginError(`plugin package '${specifier}' exports no plugin (expected an export named 'plugin' or a default export)`);
    }
    const plugin = validatePlugin(exported, resolved.name);
    if (plugin.manifest.name !== resolved.name) {
      throw new PluginError(
        `plugin package '${specifier}': manifest field 'name' is '${plugin.manifest.name}' but the package is '${resolved.name}'`,
      );
    }
    plugins.push(plugin);
  }
  return plugins;
}

/** `plugin`, else the default export (or, for CommonJS packages, the default export's `plugin`). */
function pluginExport(module: Record<string, unknown>): unknown {
  if (module.plugin !== undefined) return module.plugin;
  const fallback = module.default as { plugin?: unknown; manifest?: unknown } | undefined;
  if (fallback && typeof fallback === 'object' && fallback.manifest === undefined && fallback.plugin !== undefined) {
    return fallback.plugin;
  }
  return fallback;
}

/**
 * The plugin API: manifests, `definePlugin`, the hook base, and the registry that loads plugin packages
 * and creates the secrets backends they provide.
 * @module
 */
export {
  pluginManifestSchema,
  parsePluginManifest,
  type PluginManifest,
  type PluginManifestInput,
} from './manifest.js';
export { definePlugin, validatePlugin, type SluicePlugin, type SluicePluginInput, type SecretsBackendFactory } from './plugin.js';
export { resolveConnectionExtra, type Hook } from './hook.js';
export { PluginRegistry, loadPlugins } from './registry.js';

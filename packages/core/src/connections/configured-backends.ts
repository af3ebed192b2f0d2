import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { PluginRegistry, loadPlugins } from '../plugins/registry.js';
import type { SecretsBackend } from './types.js';

/** One configured secrets backend: which plugin provides it, its name there, and its options. */
const backendConfigSchema = z.array(
  z.object({
    plugin: z.string().min(1),
    backend: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
  }),
);

/** A parsed `SLUICE_SECRETS_BACKENDS` entry. */
export type SecretsBackendConfig = z.output<typeof backendConfigSchema>[number];

/**
 * Parses `SLUICE_SECRETS_BACKENDS`: a JSON array of `{ "plugin": "<npm package>", "backend": "<name>",
 * "options": { … } }`, consulted in order after the environment and the metadata store (Airflow's
 * `[secrets] backend` + `backend_kwargs`). Throws ValidationError naming the entry and field.
 */
export function parseSecretsBackendsConfig(value: string | undefined): SecretsBackendConfig[] {
  if (!value || value.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new ValidationError(`SLUICE_SECRETS_BACKENDS is not valid JSON: ${(error as Error).message}`, 'SLUICE_SECRETS_BACKENDS');
  }
  const result = backendConfigSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = ['SLUICE_SECRETS_BACKENDS', ...(issue?.path ?? []).map(String)].join('.');
    throw new ValidationError(`${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  return result.data;
}

/** Loads the plugins named in `configs` (resolved from `fromDir`) and creates their secrets backends, in order. */
export async function createConfiguredSecretsBackends(configs: readonly SecretsBackendConfig[], fromDir: string): Promise<SecretsBackend[]> {
  if (configs.length === 0) return [];
  const registry = new PluginRegistry();
  for (const plugin of await loadPlugins([...new Set(configs.map((c) => c.plugin))], fromDir)) registry.register(plugin);
  return configs.map((c) => registry.createSecretsBackend(c.backend, c.options));
}

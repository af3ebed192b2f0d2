import { z } from 'zod';
import { PluginError } from '../errors.js';

/** An npm package name, optionally scoped: `@acme/sluice-plugin-weather`, `sluice-plugin-weather`. */
const NPM_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;
/** A semantic version `MAJOR.MINOR.PATCH[-prerelease][+build]`. */
const SEMVER =
  /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
/** Names of operators, sensors, hooks and backends: `weather.fetch-forecast`, `S3Hook`, `aws-secrets-manager`. */
const COMPONENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Connection types: `http`, `aws`, `redshift`, `google_cloud_platform`. */
const CONNECTION_TYPE = /^[a-z][a-z0-9_-]*$/;

const componentName = z.string().regex(COMPONENT_NAME, 'expected letters, digits, ".", "_" or "-"');
const description = z.string().optional();
const connectionType = z.string().regex(CONNECTION_TYPE, 'expected lowercase letters, digits, "_" or "-"');

/** A zod schema, recognised structurally so schemas from another copy of zod are accepted too. */
const zodSchema = z.custom<z.ZodType>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function',
  'expected a zod schema',
);

/** Zod schema of a plugin's manifest (see {@link PluginManifest}). Missing lists default to empty. */
export const pluginManifestSchema = z.object({
  /** The plugin's npm package name. */
  name: z.string().max(214).regex(NPM_NAME, 'expected an npm package name'),
  /** The plugin's version (semver). */
  version: z.string().regex(SEMVER, 'expected a semantic version such as 1.2.3'),
  description,
  operators: z.array(z.object({ name: componentName, description })).default([]),
  sensors: z.array(z.object({ name: componentName, description })).default([]),
  hooks: z.array(z.object({ name: componentName, connectionType, description })).default([]),
  connectionTypes: z
    .array(
      z.object({
        type: connectionType,
        description,
        /** Labels of the standard connection fields this type uses (a field left out is unused). */
        fields: z
          .strictObject({
            host: z.string().optional(),
            login: z.string().optional(),
            password: z.string().optional(),
            schema: z.string().optional(),
            port: z.string().optional(),
          })
          .optional(),
        /** zod schema of the connection's `extra`. */
        extraSchema: zodSchema.optional(),
      }),
    )
    .default([]),
  secretsBackends: z.array(z.object({ name: componentName, description })).default([]),
});

/**
 * What a plugin declares: its npm name and version, and the operators, sensors, hooks, connection types
 * and secrets backends it provides. `sluice plugins list` prints it; the registry checks it.
 */
export type PluginManifest = z.output<typeof pluginManifestSchema>;

/** A manifest as written by a plugin author: the lists may be left out. */
export type PluginManifestInput = z.input<typeof pluginManifestSchema>;

/** The lists whose entries must have distinct names, and the key naming each entry. */
const UNIQUE_KEYS = [
  ['operators', 'name'],
  ['sensors', 'name'],
  ['hooks', 'name'],
  ['connectionTypes', 'type'],
  ['secretsBackends', 'name'],
] as const;

/** A readable label for a plugin whose manifest may be invalid: its name when it has a string one. */
export function pluginLabel(manifest: unknown, fallback = '<unnamed plugin>'): string {
  const name = (manifest as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name ? name : fallback;
}

/**
 * Validates a manifest and returns it with defaults applied. Throws {@link PluginError} naming the plugin
 * and the field, e.g. `plugin '@acme/sluice-plugin-weather': manifest field 'operators.0.name': …`.
 * Names inside each list must be distinct.
 */
export function parsePluginManifest(manifest: unknown, source?: string): PluginManifest {
  const label = pluginLabel(manifest, source);
  const result = pluginManifestSchema.safeParse(manifest);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    throw new PluginError(
      `plugin '${label}': manifest ${field ? `field '${field}'` : 'value'}: ${issue?.message ?? 'invalid'}`,
      { cause: result.error },
    );
  }
  for (const [list, key] of UNIQUE_KEYS) {
    const seen = new Set<string>();
    result.data[list].forEach((entry, index) => {
      const value = (entry as Record<string, string>)[key] ?? '';
      if (seen.has(value)) {
        throw new PluginError(`plugin '${label}': manifest field '${list}.${index}.${key}': duplicate '${value}'`);
      }
      seen.add(value);
    });
  }
  return result.data;
}

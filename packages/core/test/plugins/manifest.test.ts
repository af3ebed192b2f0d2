import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parsePluginManifest, pluginManifestSchema } from '../../src/plugins/manifest.js';
import { PluginError } from '../../src/errors.js';

const valid = { name: '@acme/sluice-plugin-weather', version: '1.2.3-beta.1+build.5' };

function errorOf(manifest: unknown, source?: string): PluginError {
  try {
    parsePluginManifest(manifest, source);
  } catch (error) {
    return error as PluginError;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('plugin manifest', () => {
  it('accepts a minimal manifest and defaults the lists to empty', () => {
    expect(parsePluginManifest(valid)).toEqual({
      ...valid,
      operators: [],
      sensors: [],
      hooks: [],
      connectionTypes: [],
      secretsBackends: [],
    });
  });

  it('accepts a full manifest, with a zod schema for a connection type extra', () => {
    const extraSchema = z.object({ units: z.enum(['metric', 'imperial']) });
    const manifest = parsePluginManifest({
      ...valid,
      description: 'Weather',
      operators: [{ name: 'weather.fetch-forecast', description: 'Fetches' }],
      sensors: [{ name: 'weather.forecast-ready' }],
      hooks: [{ name: 'WeatherHook', connectionType: 'weather' }],
      connectionTypes: [{ type: 'weather', fields: { host: 'API host', password: 'API key' }, extraSchema }],
      secretsBackends: [{ name: 'weather-vault' }],
    });
    expect(manifest.connectionTypes[0]?.extraSchema).toBe(extraSchema);
    expect(pluginManifestSchema.safeParse(manifest).success).toBe(true);
  });

  it.each([
    [{ ...valid, name: 'Not A Package' }, "plugin 'Not A Package': manifest field 'name': expected an npm package name"],
    [{ version: '1.0.0' }, "plugin '<unnamed plugin>': manifest field 'name'"],
    [{ ...valid, version: '1.0' }, "manifest field 'version': expected a semantic version"],
    [{ ...valid, version: '01.0.0' }, "manifest field 'version'"],
    [{ ...valid, operators: [{ name: 'ok' }, { description: 'no name' }] }, "manifest field 'operators.1.name'"],
    [{ ...valid, sensors: [{ name: 'has space' }] }, "manifest field 'sensors.0.name'"],
    [{ ...valid, hooks: [{ name: 'H', connectionType: 'AWS' }] }, "manifest field 'hooks.0.connectionType'"],
    [{ ...valid, connectionTypes: [{ type: 'x', fields: { token: 'T' } }] }, "manifest field 'connectionTypes.0.fields'"],
    [{ ...valid, connectionTypes: [{ type: 'x', extraSchema: { units: 'metric' } }] }, "manifest field 'connectionTypes.0.extraSchema': expected a zod schema"],
    [{ ...valid, secretsBackends: 'vault' }, "manifest field 'secretsBackends'"],
    [{ ...valid, operators: [{ name: 'a.b' }, { name: 'a.b' }] }, "manifest field 'operators.1.name': duplicate 'a.b'"],
  ])('rejects %j naming the field', (manifest, expected) => {
    const error = errorOf(manifest);
    expect(error).toBeInstanceOf(PluginError);
    expect(error.name).toBe('PluginError');
    expect(error.message).toContain(expected);
  });

  it('names the plugin by the manifest name, else by the source it came from', () => {
    expect(errorOf({ ...valid, version: 'x' }).message).toMatch(/^plugin '@acme\/sluice-plugin-weather': /);
    expect(errorOf(undefined, 'sluice-plugin-x').message).toMatch(/^plugin 'sluice-plugin-x': manifest value: /);
    expect(errorOf({ ...valid, version: 'x' }).cause).toBeInstanceOf(z.ZodError);
  });
});

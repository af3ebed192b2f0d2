import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '../../src/plugins/plugin.js';
import { resolveConnectionExtra } from '../../src/plugins/hook.js';
import { ConnectionError, PluginError, ValidationError } from '../../src/errors.js';
import { isOperatorInstance, isSensorInstance } from '../../src/authoring/operator.js';
import { flagSet, greet, plugin, type Greeting } from './sample-plugin.js';
import { fakeTaskContext } from './fake-context.js';

const greeterConnection = { id: 'greeter_default', type: 'greeter', extra: { punctuation: '.' } };

describe('a plugin built with defineOperator and defineSensor', () => {
  it('renders templated fields through the task context and returns a typed output', async () => {
    const task = greet({ message: 'Report for {{ ds }}' });
    expect(isOperatorInstance(task)).toBe(true);
    expect(task.operatorName).toBe('sample.greet');
    const output = await task.run(fakeTaskContext({ ds: '2026-03-04', connections: [greeterConnection] }), {});
    expectTypeOf(output).toEqualTypeOf<Greeting>();
    expect(output).toEqual({ text: 'Report for 2026-03-04.', length: 22 });
  });

  it('validates operator fields when the task is created', () => {
    expect(() => greet({ message: 'x', times: 0 })).toThrow(ValidationError);
    expect(() => greet({ message: 'x', times: 0 })).toThrow(/sample\.greet: field 'times'/);
  });

  it('pokes a sensor with rendered fields', async () => {
    const sensor = flagSet({ variable: 'ready_{{ ds }}' });
    expect(isSensorInstance(sensor)).toBe(true);
    expect(await sensor.poke(fakeTaskContext({ variables: { 'ready_2026-01-01': 'true' } }), {})).toBe(true);
    expect(await sensor.poke(fakeTaskContext({ ds: '2026-01-02', variables: { 'ready_2026-01-01': 'true' } }), {})).toBe(false);
  });

  it('exposes a validated manifest and its secrets backend factory', async () => {
    expect(plugin.manifest.operators.map((o) => o.name)).toEqual(['sample.greet']);
    const backend = plugin.secretsBackends?.['sample-memory']?.({ connections: { db: 'postgres://db.internal' } });
    expect(await backend?.getConnection('db')).toEqual({ id: 'db', type: 'postgres', host: 'db.internal', extra: {} });
    expect(await backend?.getConnection('other')).toBeUndefined();
  });
});

describe('definePlugin', () => {
  const manifest = { name: 'sluice-plugin-x', version: '1.0.0' };
  const backend = () => ({ name: 'b', getConnection: async () => undefined, getVariable: async () => undefined });

  it('defaults the manifest lists', () => {
    expect(definePlugin({ manifest }).manifest.sensors).toEqual([]);
  });

  it('rejects an invalid manifest naming the plugin and the field', () => {
    expect(() => definePlugin({ manifest: { ...manifest, version: 'one' } })).toThrow(
      /^plugin 'sluice-plugin-x': manifest field 'version'/,
    );
  });

  it('requires a factory for every listed secrets backend, and a listing for every factory', () => {
    expect(() => definePlugin({ manifest: { ...manifest, secretsBackends: [{ name: 'vault' }] } })).toThrow(
      "plugin 'sluice-plugin-x': manifest field 'secretsBackends.0.name': no factory for 'vault'",
    );
    expect(() => definePlugin({ manifest, secretsBackends: { vault: backend } })).toThrow(
      "plugin 'sluice-plugin-x': field 'secretsBackends.vault': not listed in manifest field 'secretsBackends'",
    );
    expect(() =>
      definePlugin({ manifest: { ...manifest, secretsBackends: [{ name: 'vault' }] }, secretsBackends: { vault: 'nope' as never } }),
    ).toThrow(PluginError);
  });
});

describe('resolveConnectionExtra', () => {
  const schema = z.object({ region: z.string(), retries: z.number().default(3), nested: z.object({ token: z.string().min(40) }).optional() });

  it('returns the parsed extra with defaults', async () => {
    const extra = await resolveConnectionExtra({ id: 'c', type: 'x', extra: { region: 'eu-west-1' } }, schema);
    expectTypeOf(extra).toEqualTypeOf<{ region: string; retries: number; nested?: { token: string } | undefined }>();
    expect(extra).toEqual({ region: 'eu-west-1', retries: 3 });
  });

  it('names the connection and the field, never the value', async () => {
    const error = await resolveConnectionExtra({ id: 'aws_prod', type: 'aws', extra: { region: 12345 } }, schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/^connection 'aws_prod': extra field 'region': /);
    expect((error as Error).message).not.toContain('12345');
    const nested = await resolveConnectionExtra({ id: 'c', type: 'x', extra: { region: 'r', nested: { token: 'shh-secret' } } }, schema).catch((e: unknown) => e);
    expect((nested as Error).message).toMatch(/extra field 'nested\.token'/);
    expect((nested as Error).message).not.toContain('shh-secret');
  });

  it('redacts a value quoted by a custom message', async () => {
    const custom = z.object({ key: z.string().refine((v) => v.startsWith('AK'), { error: (issue) => `bad key ${String(issue.input)}` }) });
    const error = (await resolveConnectionExtra({ id: 'c', type: 'x', extra: { key: 'XYZSECRET' } }, custom).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("connection 'c': extra field 'key': bad key [redacted]");
  });
});

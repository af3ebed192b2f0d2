import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, parseConnectionUri, parseConnectionValue, type Connection } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { WarehouseConnectionError, poolConfig, resolveWarehouseConnection } from '../src/index.js';

function lookup(...connections: Connection[]): (id: string) => Promise<Connection> {
  return async (id) => {
    const found = connections.find((c) => c.id === id);
    if (!found) throw new NotFoundError(`connection '${id}' not found`);
    return found;
  };
}

const base: Connection = {
  id: 'redshift_default',
  type: 'redshift',
  host: 'cluster.example.eu-west-1.redshift.amazonaws.com',
  login: 'loader',
  password: 's3cr3t-Pa55',
  schema: 'dev',
  extra: {},
};

async function settingsFor(overrides: Partial<Connection>) {
  return resolveWarehouseConnection(lookup({ ...base, ...overrides }));
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('resolveWarehouseConnection', () => {
  it('type redshift: Redshift dialect, port 5439, TLS without verification by default', async () => {
    const settings = await settingsFor({});
    expect(settings).toEqual({
      dialect: 'redshift',
      host: base.host,
      port: 5439,
      database: 'dev',
      user: 'loader',
      password: 's3cr3t-Pa55',
      ssl: { rejectUnauthorized: false },
      applicationName: 'sluice',
    });
  });

  it('type postgres / postgresql: Postgres dialect, port 5432, no TLS by default', async () => {
    for (const type of ['postgres', 'postgresql', 'Postgres']) {
      const settings = await settingsFor({ type, password: undefined });
      expect(settings).toMatchObject({ dialect: 'postgres', port: 5432, ssl: false });
      expect(settings).not.toHaveProperty('password');
    }
  });

  it('keeps an explicit port and reads the COPY settings, timeout, app name and a dialect override', async () => {
    const settings = await settingsFor({
      type: 'postgres',
      port: 15439,
      extra: {
        dialect: 'redshift',
        iam_role: 'arn:aws:iam::123456789012:role/redshift-copy',
        region: 'eu-west-1',
        application_name: 'nightly',
        statement_timeout: '15m',
      },
    });
    expect(settings).toMatchObject({
      dialect: 'redshift',
      port: 15439,
      iamRole: 'arn:aws:iam::123456789012:role/redshift-copy',
      region: 'eu-west-1',
      applicationName: 'nightly',
      statementTimeoutMs: 900_000,
    });
  });

  it('reads the database from extra when the schema field is empty, and digits-only timeouts as ms', async () => {
    const settings = await settingsFor({ schema: undefined, extra: { database: 'analytics', statement_timeout: '2500' } });
    expect(settings.database).toBe('analytics');
    expect(settings.statementTimeoutMs).toBe(2500);
  });

  it('ssl modes: disable, require, verify-ca (CA, no host check), verify-full', async () => {
    expect((await settingsFor({ extra: { sslmode: 'disable' } })).ssl).toBe(false);
    expect((await settingsFor({ type: 'postgres', extra: { sslmode: 'require' } })).ssl).toEqual({ rejectUnauthorized: false });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const dir = await mkdtemp(join(tmpdir(), 'sluice-wh-'));
    try {
      await writeFile(join(dir, 'ca.pem'), pem);
      const verifyCa = await settingsFor({ extra: { sslmode: 'verify-ca', sslrootcert: join(dir, 'ca.pem') } });
      expect(verifyCa.ssl).toEqual({ rejectUnauthorized: true, ca: pem, checkHostname: false });
      const config = poolConfig(verifyCa);
      expect(config.ssl).toMatchObject({ rejectUnauthorized: true, ca: pem });
      expect(typeof (config.ssl as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const verifyFull = await settingsFor({ extra: { sslmode: 'verify-full', ca: pem } });
    expect(verifyFull.ssl).toEqual({ rejectUnauthorized: true, ca: pem, checkHostname: true });
    expect(poolConfig(verifyFull).ssl).not.toHaveProperty('checkServerIdentity');
  });

  it('a missing CA file is a connection error naming the field', async () => {
    const error = await errorOf(settingsFor({ extra: { sslmode: 'verify-full', sslrootcert: '/nonexistent/ca.pem' } }));
    expect(error).toBeInstanceOf(WarehouseConnectionError);
    expect(error.message).toBe(`connection 'redshift_default': extra field 'sslrootcert': cannot read the CA file`);
  });

  it('bad extra values name the connection and the field, never the value', async () => {
    const sslmode = await errorOf(settingsFor({ extra: { sslmode: 'prefer' } }));
    expect(sslmode).toBeInstanceOf(WarehouseConnectionError);
    expect(sslmode.message).toMatch(/^connection 'redshift_default': extra field 'sslmode': /);
    const role = await errorOf(settingsFor({ extra: { iam_role: 'not-an-arn-secret-ish' } }));
    expect(role.message).toMatch(/^connection 'redshift_default': extra field 'iam_role': expected an IAM role ARN/);
    expect(role.message).not.toContain('not-an-arn-secret-ish');
    const timeout = await errorOf(settingsFor({ extra: { statement_timeout: 'soon' } }));
    expect(timeout.message).toMatch(/extra field 'statement_timeout'/);
  });

  it('other connection types are refused, naming the connection and the field', async () => {
    const error = await errorOf(settingsFor({ type: 'mysql' }));
    expect(error).toBeInstanceOf(WarehouseConnectionError);
    expect(error.message).toBe(`connection 'redshift_default': field 'type': expected 'redshift' or 'postgres', got "mysql"`);
  });

  it('missing host, user or database name the field; no message holds the password', async () => {
    const messages = [
      (await errorOf(settingsFor({ host: undefined }))).message,
      (await errorOf(settingsFor({ login: undefined }))).message,
      (await errorOf(settingsFor({ schema: undefined }))).message,
    ];
    expect(messages).toEqual([
      `connection 'redshift_default': field 'host': a host is required`,
      `connection 'redshift_default': field 'login': a user (login) is required`,
      `connection 'redshift_default': field 'schema': a database name (schema, or extra database) is required`,
    ]);
    for (const message of messages) expect(message).not.toContain('s3cr3t');
  });

  it('resolves another connection id, and reads a connection URI the way the environment backend does', async () => {
    const uri = 'redshift://loader:p%40ss@cluster.example.com:5439/dev?sslmode=verify-full&iam_role=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcopy';
    const connection = parseConnectionUri('warehouse', uri);
    const settings = await resolveWarehouseConnection(lookup(connection), 'warehouse');
    expect(settings).toMatchObject({
      dialect: 'redshift',
      host: 'cluster.example.com',
      port: 5439,
      database: 'dev',
      user: 'loader',
      password: 'p@ss',
      ssl: { rejectUnauthorized: true, checkHostname: true },
      iamRole: 'arn:aws:iam::123456789012:role/copy',
    });
  });

  it('reads the README examples (URI with an encoded CA path and role, JSON) through parseConnectionValue', async () => {
    const uri =
      'redshift://loader:pa%24%24@my-cluster.abc123.eu-west-1.redshift.amazonaws.com:5439/dev?sslmode=require&application_name=etl' +
      '&iam_role=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fredshift-copy';
    const json = JSON.stringify({
      conn_type: 'redshift',
      host: 'my-cluster.abc123.eu-west-1.redshift.amazonaws.com',
      login: 'loader',
      password: 'pa$$',
      schema: 'dev',
      extra: { iam_role: 'arn:aws:iam::123456789012:role/redshift-copy', sslmode: 'require', application_name: 'etl' },
    });
    const fromUri = await resolveWarehouseConnection(lookup(parseConnectionValue('redshift_default', uri)));
    const fromJson = await resolveWarehouseConnection(lookup(parseConnectionValue('redshift_default', json)));
    expect(fromUri).toEqual(fromJson);
    expect(fromJson).toMatchObject({ dialect: 'redshift', port: 5439, password: 'pa$$', iamRole: 'arn:aws:iam::123456789012:role/redshift-copy' });
  });

  it('poolConfig carries the settings to pg', async () => {
    const settings = await settingsFor({ extra: { statement_timeout: 1000, application_name: 'x' } });
    expect(poolConfig(settings, { poolMax: 7 })).toMatchObject({
      host: base.host,
      port: 5439,
      database: 'dev',
      user: 'loader',
      password: 's3cr3t-Pa55',
      application_name: 'x',
      statement_timeout: 1000,
      max: 7,
    });
  });
});

describe('plugin manifest', () => {
  it('declares both connection types with the extra schema, the hook, operators and sensor', async () => {
    const { plugin, warehouseConnectionExtraSchema, pluginName } = await import('../src/index.js');
    const { manifest } = plugin;
    expect(manifest.name).toBe(pluginName);
    expect(manifest.connectionTypes.map((c) => [c.type, c.extraSchema === warehouseConnectionExtraSchema])).toEqual([
      ['redshift', true],
      ['postgres', true],
    ]);
    expect(manifest.operators.map((o) => o.name)).toEqual([
      'redshift.s3-to-redshift',
      'redshift.sql',
      'redshift.row-count-check',
      'redshift.unique-key-check',
      'redshift.not-null-check',
    ]);
    expect(manifest.sensors.map((s) => s.name)).toEqual(['redshift.table-sensor']);
    expect(manifest.hooks.map((h) => h.name)).toEqual(['WarehouseHook']);
  });
});

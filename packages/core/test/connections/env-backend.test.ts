import { describe, expect, it } from 'vitest';
import { EnvironmentSecretsBackend } from '../../src/connections/env-backend.js';
import { ConnectionError } from '../../src/errors.js';

const env = {
  SLUICE_CONN_POSTGRES_DEFAULT: 'postgres://etl:pa%24%24word@db.internal:5432/warehouse',
  SLUICE_CONN_REDDIT_DEFAULT: JSON.stringify({ conn_type: 'reddit', login: 'client-id', password: 'client-secret', extra: { user_agent: 'sluice' } }),
  'SLUICE_CONN_MY.CONN-1': 'http://example.com',
  SLUICE_CONN_EMPTY: '  ',
  SLUICE_CONN_BROKEN: 'postgres://u:topsecret@h:notaport',
  SLUICE_VAR_BUCKET: 'my-bucket',
  SLUICE_VAR_EMPTY: '',
  AIRFLOW_CONN_LEGACY: 'aws://?region_name=eu-west-1',
  AIRFLOW_VAR_LEGACY: 'old',
};

describe('EnvironmentSecretsBackend', () => {
  const backend = new EnvironmentSecretsBackend(env);

  it('is named environment', () => {
    expect(backend.name).toBe('environment');
  });

  it('reads URI and JSON connections by uppercased id', async () => {
    expect(await backend.getConnection('postgres_default')).toEqual({
      id: 'postgres_default',
      type: 'postgres',
      login: 'etl',
      password: 'pa$$word',
      host: 'db.internal',
      port: 5432,
      schema: 'warehouse',
      extra: {},
    });
    expect(await backend.getConnection('reddit_default')).toEqual({
      id: 'reddit_default',
      type: 'reddit',
      login: 'client-id',
      password: 'client-secret',
      extra: { user_agent: 'sluice' },
    });
    expect((await backend.getConnection('my.conn-1'))?.host).toBe('example.com');
  });

  it('falls through for unset or empty connections', async () => {
    expect(await backend.getConnection('missing')).toBeUndefined();
    expect(await backend.getConnection('empty')).toBeUndefined();
    expect(await backend.getConnection('toString')).toBeUndefined();
  });

  it('names the environment variable of a malformed connection, not its value', async () => {
    const error = await backend.getConnection('broken').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('SLUICE_CONN_BROKEN');
    expect((error as Error).message).toContain("field 'port'");
    expect((error as Error).message).not.toContain('topsecret');
  });

  it('reads variables by uppercased key', async () => {
    expect(await backend.getVariable('bucket')).toBe('my-bucket');
    expect(await backend.getVariable('empty')).toBe('');
    expect(await backend.getVariable('missing')).toBeUndefined();
    expect(await backend.getVariable('__proto__')).toBeUndefined();
  });

  it('supports other prefixes (Airflow variables)', async () => {
    const airflow = new EnvironmentSecretsBackend(env, { connectionPrefix: 'AIRFLOW_CONN_', variablePrefix: 'AIRFLOW_VAR_' });
    expect((await airflow.getConnection('legacy'))?.extra).toEqual({ region_name: 'eu-west-1' });
    expect(await airflow.getVariable('legacy')).toBe('old');
    expect(airflow.connectionVariableName('x')).toBe('AIRFLOW_CONN_X');
  });

  it('defaults to process.env', async () => {
    process.env.SLUICE_VAR_ENV_BACKEND_TEST = 'from-process';
    try {
      expect(await new EnvironmentSecretsBackend().getVariable('env_backend_test')).toBe('from-process');
    } finally {
      delete process.env.SLUICE_VAR_ENV_BACKEND_TEST;
    }
  });
});

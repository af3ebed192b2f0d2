import { beforeEach, expect, it } from 'vitest';
import { MetadataStoreSecretsBackend } from '../../src/connections/store-backend.js';
import {
  deleteConnection,
  deleteVariable,
  getStoredConnection,
  getVariable,
  listConnections,
  listVariables,
  setConnection,
  setVariable,
} from '../../src/connections/store-connections.js';
import type { Connection } from '../../src/connections/types.js';
import { ConnectionError } from '../../src/errors.js';
import { describeEachBackend } from '../../../../test-support/databases.js';

const full: Connection = {
  id: 'warehouse',
  type: 'postgres',
  host: 'db.internal',
  port: 5432,
  login: 'etl',
  password: 'p@ss:w/rd',
  schema: 'analytics',
  extra: { sslmode: 'require', nested: { list: [1, 'two', null], flag: true } },
};

describeEachBackend('connections and variables in the metadata store', (getDb) => {
  beforeEach(async () => {
    await getDb().knex.raw('DELETE FROM sluice_connections');
    await getDb().knex.raw('DELETE FROM sluice_variables');
  });

  it('stores, reads, replaces, lists and deletes connections', async () => {
    const knex = getDb().knex;
    await setConnection(knex, full);
    expect(await getStoredConnection(knex, 'warehouse')).toEqual(full);
    await setConnection(knex, { id: 'warehouse', type: 'http', host: 'api', extra: {} });
    expect(await getStoredConnection(knex, 'warehouse')).toEqual({ id: 'warehouse', type: 'http', host: 'api', extra: {} });
    await setConnection(knex, { id: 'a.first-1', type: 'aws', extra: { region_name: 'eu-west-1' } });
    expect((await listConnections(knex)).map((c) => c.id)).toEqual(['a.first-1', 'warehouse']);
    expect(await deleteConnection(knex, 'warehouse')).toBe(true);
    expect(await deleteConnection(knex, 'warehouse')).toBe(false);
    expect(await getStoredConnection(knex, 'warehouse')).toBeUndefined();
  });

  it('validates connections and ids before writing', async () => {
    const knex = getDb().knex;
    await expect(setConnection(knex, { ...full, id: 'bad id' })).rejects.toThrow(ConnectionError);
    const error = await setConnection(knex, { ...full, port: 70000 }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error?.message).toContain("connection 'warehouse': field 'port'");
    expect(error?.message).not.toContain(full.password);
    await expect(getStoredConnection(knex, "x'; DROP TABLE sluice_connections; --")).rejects.toThrow(ConnectionError);
    expect(await listConnections(knex)).toEqual([]);
  });

  it('stores, reads, lists and deletes variables', async () => {
    const knex = getDb().knex;
    await setVariable(knex, 'bucket', 'my-bucket', 'where exports go');
    await setVariable(knex, 'config', '{"a":1}');
    await setVariable(knex, 'bucket', 'other-bucket');
    expect(await getVariable(knex, 'bucket')).toBe('other-bucket');
    expect(await getVariable(knex, 'missing')).toBeUndefined();
    const listed = await listVariables(knex);
    expect(listed.map(({ key, value, description }) => ({ key, value, description }))).toEqual([
      { key: 'bucket', value: 'other-bucket', description: null },
      { key: 'config', value: '{"a":1}', description: null },
    ]);
    expect(listed[0]?.updatedAt).toBeInstanceOf(Date);
    expect(await deleteVariable(knex, 'bucket')).toBe(true);
    expect(await deleteVariable(knex, 'bucket')).toBe(false);
    await expect(setVariable(knex, 'has space', 'x')).rejects.toThrow("variable 'has space': key may only contain");
  });

  it('serves the resolver chain as a SecretsBackend', async () => {
    const knex = getDb().knex;
    const backend = new MetadataStoreSecretsBackend(knex);
    expect(backend.name).toBe('metadata-store');
    await setConnection(knex, full);
    await setVariable(knex, 'greeting', 'hello');
    expect(await backend.getConnection('warehouse')).toEqual(full);
    expect(await backend.getConnection('missing')).toBeUndefined();
    expect(await backend.getConnection('not storable!')).toBeUndefined();
    expect(await backend.getVariable('greeting')).toBe('hello');
    expect(await backend.getVariable('missing')).toBeUndefined();
    expect(await backend.getVariable('not storable!')).toBeUndefined();
  });
});

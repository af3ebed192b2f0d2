import type { Knex } from 'knex';
import { CONNECTION_ID_PATTERN } from './connection-schema.js';
import { getStoredConnection, getVariable } from './store-connections.js';
import type { Connection, SecretsBackend } from './types.js';

/**
 * Connections and variables from the metadata store (`sluice connections add`, `sluice variables set`).
 * An id or key that could never be stored (see {@link CONNECTION_ID_PATTERN}) falls through.
 */
export class MetadataStoreSecretsBackend implements SecretsBackend {
  readonly name = 'metadata-store';

  constructor(private readonly knex: Knex) {}

  /** The stored connection `id`, or `undefined`. */
  async getConnection(id: string): Promise<Connection | undefined> {
    if (!isStorableKey(id)) return undefined;
    return getStoredConnection(this.knex, id);
  }

  /** The stored variable `key`, or `undefined`. */
  async getVariable(key: string): Promise<string | undefined> {
    if (!isStorableKey(key)) return undefined;
    return getVariable(this.knex, key);
  }
}

function isStorableKey(key: string): boolean {
  return typeof key === 'string' && key.length <= 250 && CONNECTION_ID_PATTERN.test(key);
}

/** The core's CatalogService over a Map (versions per table), for tests that run the crawler and the load. */
import type { CatalogService, CatalogTable, CatalogTableInput, PutTableResult, SchemaChangePolicy } from '@sluice/core';

/** An in-memory catalog that keeps every version of a table. */
export class LoadTestCatalog implements CatalogService {
  readonly tables = new Map<string, CatalogTable[]>();

  async getTable(database: string, name: string): Promise<CatalogTable | undefined> {
    return this.tables.get(`${database}.${name}`)?.at(-1);
  }

  async listVersions(database: string, name: string): Promise<CatalogTable[]> {
    return [...(this.tables.get(`${database}.${name}`) ?? [])];
  }

  async putTable(input: CatalogTableInput, options: { policy?: SchemaChangePolicy } = {}): Promise<PutTableResult> {
    const versions = this.tables.get(`${input.database}.${input.name}`) ?? [];
    this.tables.set(`${input.database}.${input.name}`, versions);
    const current = versions.at(-1);
    const now = new Date();
    const schemaChanged = !current || JSON.stringify([current.columns, current.partitionKeys]) !== JSON.stringify([input.columns, input.partitionKeys]);
    if (!current || (schemaChanged && (options.policy ?? 'update') === 'update')) {
      const table: CatalogTable = { ...input, stats: input.stats ?? {}, version: versions.length + 1, createdAt: current?.createdAt ?? now, updatedAt: now };
      versions.push(table);
      return { table, schemaChanged, versionCreated: true };
    }
    const table: CatalogTable = { ...current, stats: input.stats ?? {}, updatedAt: now };
    versions[versions.length - 1] = table;
    return { table, schemaChanged, versionCreated: false };
  }
}

import { expect, it } from 'vitest';
import { getCatalogTable, listCatalogTables, listCatalogTableVersions, putCatalogTable } from '../../src/store/catalog.js';
import { describeEachBackend } from '../../../../test-support/databases.js';

const table = (columns: Record<string, unknown>[], stats: Record<string, unknown> = {}) => ({
  database: 'raw',
  name: 'reddit_posts',
  location: 's3://lake/raw/reddit/',
  format: 'jsonl',
  columns,
  partitionKeys: [{ name: 'dt', type: 'string' }],
  stats,
});

describeEachBackend('data catalog', (getDb, kind) => {
  it('creates, refreshes, versions on change (update) and only reports under log', async () => {
    const knex = getDb().knex;
    const v1 = await putCatalogTable(knex, table([{ name: 'id', type: 'string' }], { records: 10 }));
    expect(v1).toMatchObject({ schemaChanged: true, versionCreated: true, table: { version: 1, stats: { records: 10 } } });

    const same = await putCatalogTable(knex, table([{ name: 'id', type: 'string' }], { records: 12 }));
    expect(same).toMatchObject({ schemaChanged: false, versionCreated: false, table: { version: 1, stats: { records: 12 } } });

    const widened = [{ name: 'id', type: 'string' }, { name: 'score', type: 'double' }];
    const logged = await putCatalogTable(knex, table(widened, { records: 13 }), 'log');
    expect(logged).toMatchObject({ schemaChanged: true, versionCreated: false, table: { version: 1, stats: { records: 13 } } });
    expect(logged.table.columns).toEqual([{ name: 'id', type: 'string' }]);

    const updated = await putCatalogTable(knex, table(widened, { records: 14 }), 'update');
    expect(updated).toMatchObject({ schemaChanged: true, versionCreated: true, table: { version: 2, columns: widened } });
    expect((await listCatalogTableVersions(knex, 'raw', 'reddit_posts')).map((v) => v.version)).toEqual([1, 2]);
    expect((await getCatalogTable(knex, 'raw', 'reddit_posts'))?.version).toBe(2);
    expect((await listCatalogTables(knex)).map((t) => `${t.database}.${t.name}@${t.version}`)).toContain('raw.reddit_posts@2');
  });

  it('does not see a schema change when only the key order of the columns differs', async () => {
    const knex = getDb().knex;
    const first = await putCatalogTable(knex, { ...table([{ name: 'id', type: 'string', nullable: false }]), name: 'key_order' });
    expect(first.table.version).toBe(1);
    const reordered = await putCatalogTable(knex, { ...table([{ nullable: false, type: 'string', name: 'id' }]), name: 'key_order' });
    expect(reordered).toMatchObject({ schemaChanged: false, versionCreated: false, table: { version: 1 } });
  });

  it('rejects bad names, naming the field, and stores nothing', async () => {
    await expect(putCatalogTable(getDb().knex, { ...table([]), name: 'posts; drop table x' })).rejects.toThrow(/field 'name'/);
    expect(await getCatalogTable(getDb().knex, 'raw', 'posts; drop table x')).toBeUndefined();
  });

  it.skipIf(kind !== 'postgres')('concurrent crawls of a new table serialise into consistent versions', async () => {
    const knex = getDb().knex;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => putCatalogTable(knex, { ...table([{ name: `c${i % 2}`, type: 'int' }]), name: 'concurrent' })),
    );
    const versions = await listCatalogTableVersions(knex, 'raw', 'concurrent');
    expect(versions.length).toBe(results.filter((r) => r.versionCreated).length);
    expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1));
  });
});

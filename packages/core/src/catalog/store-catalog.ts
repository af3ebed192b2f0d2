import type { Knex } from 'knex';
import { getCatalogTable, listCatalogTableVersions, putCatalogTable } from '../store/catalog.js';
import type { CatalogService } from './types.js';

/** The catalog service over the metadata store (what `ctx.catalog` is in the executor). */
export function storeCatalog(knex: Knex): CatalogService {
  return {
    getTable: (database, name) => getCatalogTable(knex, database, name),
    listVersions: (database, name) => listCatalogTableVersions(knex, database, name),
    putTable: (input, options) => putCatalogTable(knex, input, options?.policy ?? 'update'),
  };
}

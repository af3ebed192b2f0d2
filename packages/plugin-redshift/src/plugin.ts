/** The plugin's manifest and `definePlugin` value. */
import { definePlugin, type SluicePlugin } from '@sluice/core';
import { warehouseConnectionExtraSchema } from './connection.js';

/** Package version, kept in step with package.json. */
export const PLUGIN_VERSION = '0.1.0';

/** Standard connection fields of both warehouse connection types. */
const WAREHOUSE_FIELDS = {
  host: 'Host name of the cluster / server',
  port: 'Port (Redshift 5439, Postgres 5432 by default)',
  login: 'User',
  password: 'Password',
  schema: 'Database name',
};

/** `@sluice/plugin-redshift` as the runtime loads it: the manifest (no secrets backend of its own). */
export const plugin: SluicePlugin = definePlugin({
  manifest: {
    name: '@sluice/plugin-redshift',
    version: PLUGIN_VERSION,
    description: 'Amazon Redshift and PostgreSQL warehouses: S3-to-warehouse load, SQL transform steps, data quality checks, table sensor',
    operators: [
      { name: 'redshift.s3-to-redshift', description: 'Loads staged S3 data into a Redshift (COPY) or Postgres (COPY FROM STDIN) table: append, replace-partition or merge' },
      { name: 'redshift.sql', description: 'Runs templated SQL statements with bound parameters, in one transaction by default' },
      { name: 'redshift.row-count-check', description: 'Fails unless a table (or partition / data interval) holds between minRows and maxRows rows' },
      { name: 'redshift.unique-key-check', description: 'Fails when a key occurs more than once, showing up to five duplicate keys' },
      { name: 'redshift.not-null-check', description: 'Fails when any of the given columns holds a NULL' },
    ],
    sensors: [{ name: 'redshift.table-sensor', description: 'Waits until a table exists and optionally holds at least N rows' }],
    hooks: [
      { name: 'WarehouseHook', connectionType: 'redshift', description: 'pg pool over a redshift or postgres connection: queries, transactions, table metadata' },
    ],
    connectionTypes: [
      {
        type: 'redshift',
        description: 'Amazon Redshift cluster or Serverless workgroup (TLS without certificate check by default)',
        fields: WAREHOUSE_FIELDS,
        extraSchema: warehouseConnectionExtraSchema,
      },
      {
        type: 'postgres',
        description: 'PostgreSQL as a warehouse (local/offline or real target); no TLS by default',
        fields: WAREHOUSE_FIELDS,
        extraSchema: warehouseConnectionExtraSchema,
      },
    ],
  },
});

import { CreateDatabaseCommand, CreateTableCommand, GetDatabaseCommand, GetTableCommand, UpdateTableCommand, type GlueClient, type TableInput } from '@aws-sdk/client-glue';
import type { Column } from '../crawler/schema.js';
import { glueColumns, glueFormat } from './hive-types.js';

/** A crawled table to register in the AWS Glue Data Catalog. */
export interface GlueTableInput {
  database: string;
  table: string;
  /** `s3://bucket/prefix/`. */
  location: string;
  /** `jsonl`, `json` or `csv`. */
  format: string;
  columns: readonly Column[];
  partitionKeys: readonly Column[];
  recordCount?: number;
  /** Create the Glue database when it does not exist. Default true. */
  createDatabase?: boolean;
}

const isNotFound = (error: unknown): boolean => (error as { name?: string }).name === 'EntityNotFoundException';

/**
 * Creates or updates a Glue table from a crawl (what a Glue crawler's catalog update does): columns and
 * partition keys in Hive types, location, JSON or CSV SerDe, `classification` and record count parameters.
 * Returns whether the table was created or updated.
 */
export async function registerGlueTable(client: GlueClient, t: GlueTableInput, signal?: AbortSignal): Promise<'created' | 'updated'> {
  const opts = signal ? { abortSignal: signal } : {};
  if (t.createDatabase ?? true) {
    try {
      await client.send(new GetDatabaseCommand({ Name: t.database }), opts);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: t.database } }), opts);
    }
  }
  const tableInput: TableInput = {
    Name: t.table,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: t.format === 'csv' ? 'csv' : 'json',
      ...(t.recordCount === undefined ? {} : { recordCount: String(t.recordCount) }),
      'sluice.crawler': 'true',
    },
    PartitionKeys: glueColumns(t.partitionKeys),
    StorageDescriptor: { Columns: glueColumns(t.columns), Location: t.location, ...glueFormat(t.format) },
  };
  try {
    await client.send(new GetTableCommand({ DatabaseName: t.database, Name: t.table }), opts);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await client.send(new CreateTableCommand({ DatabaseName: t.database, TableInput: tableInput }), opts);
    return 'created';
  }
  await client.send(new UpdateTableCommand({ DatabaseName: t.database, TableInput: tableInput }), opts);
  return 'updated';
}

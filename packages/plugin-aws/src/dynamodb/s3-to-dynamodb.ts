/** Transfer `aws.s3-to-dynamodb`: loads JSON Lines objects from S3 into a DynamoDB table with BatchWriteItem. */
import { defineOperator, ValidationError } from '@sluice/core';
import { z } from 'zod';
import { DEFAULT_AWS_CONNECTION_ID } from '../hooks/aws-connection.js';
import { S3Hook } from '../hooks/s3.js';
import { formatS3Url, validateBucketName, validateS3Key, validateS3Prefix } from '../hooks/s3-keys.js';
import { DynamoDbHook } from './dynamodb-hook.js';
import { mapFields } from './field-map.js';
import { keyAttributeNames } from './key-schema.js';

/** Key endings read when loading a prefix (explicit `keys` are read whatever their ending). */
export const DEFAULT_JSON_LINES_SUFFIXES = ['.jsonl', '.jsonl.gz', '.ndjson', '.ndjson.gz'] as const;

/** DynamoDB's table name rule. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Skipped items logged one by one before the log goes quiet (the count is always in the output). */
const SKIPS_LOGGED = 10;

/** Fields of {@link s3ToDynamoDb}. */
export const s3ToDynamoDbFields = z
  .object({
    /** The `aws` connection to read S3 with. */
    connId: z.string().default(DEFAULT_AWS_CONNECTION_ID),
    /** The `aws` connection to write DynamoDB with. Default: `connId`. */
    dynamoDbConnId: z.string().optional(),
    /** Source bucket (template). */
    bucket: z.string().min(1),
    /** Load every object under this prefix whose key ends with one of `suffixes` (template). */
    prefix: z.string().optional(),
    /** Load exactly these objects, in this order (templates). */
    keys: z.array(z.string().min(1)).min(1).optional(),
    /** Key endings read under `prefix`. */
    suffixes: z.array(z.string().min(1)).min(1).default([...DEFAULT_JSON_LINES_SUFFIXES]),
    /** gunzip every object. Default: objects whose key ends with `.gz`. */
    gzip: z.boolean().optional(),
    /** Target table (template). */
    table: z.string().min(1),
    /** Expected key attribute names, partition key first; the load fails before reading when the table's key differs. */
    keyFields: z.array(z.string().min(1)).min(1).max(2).optional(),
    /** Item attribute → dotted source path; when set, items hold only these attributes. */
    fieldMap: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** Records that are not objects or lack a valid key: `error` fails the task, `skip` counts and logs them. */
    invalidItems: z.enum(['error', 'skip']).default('error'),
  })
  .refine((f) => (f.prefix === undefined) !== (f.keys === undefined), { message: "give exactly one of 'prefix' and 'keys'", path: ['prefix'] });

/** Output of {@link s3ToDynamoDb}. */
export interface S3ToDynamoDbOutput {
  table: string;
  /** Put requests DynamoDB accepted. */
  itemsWritten: number;
  /** S3 objects read. */
  objectsRead: number;
  /** Records left out under `invalidItems: 'skip'`. */
  skipped: number;
  /** BatchWriteItem requests that re-sent unprocessed items. */
  retries: number;
  /** Records read from S3. */
  recordsRead: number;
  /** Records replaced by a later record with the same key in the same batch. */
  duplicates: number;
  /** URI of the asset event published, `dynamodb://<region>/<table>`. */
  assetUri: string;
}

/**
 * Loads JSON Lines (gzip too) from S3 into a DynamoDB table. Objects are read one after another and records
 * are written as they are read, in BatchWriteItem requests of 25, so memory stays bounded whatever the size
 * of the input; unprocessed items are retried with backoff. Every item is a PutRequest, so the load is
 * idempotent by the table's key: a rerun overwrites the same items (items no longer in the input are not
 * deleted). Publishes an asset event `dynamodb://<region>/<table>` with the counts.
 *
 * ```ts
 * d.task('load', s3ToDynamoDb({ bucket: 'lake', prefix: 'curated/users/dt={{ ds }}/', table: 'users', keyFields: ['user_id'] }));
 * ```
 */
export const s3ToDynamoDb = defineOperator({
  name: 'aws.s3-to-dynamodb',
  fields: s3ToDynamoDbFields,
  templateFields: ['bucket', 'prefix', 'keys', 'table'],
  async execute(ctx, fields): Promise<S3ToDynamoDbOutput> {
    const bucket = validateBucketName(fields.bucket);
    const table = fields.table;
    if (!TABLE_NAME.test(table)) {
      throw new ValidationError(`operator aws.s3-to-dynamodb: invalid table name '${table.slice(0, 80)}'`, 'table');
    }
    const explicitKeys = fields.keys?.map((key) => validateS3Key(key));
    const prefix = fields.prefix === undefined ? undefined : validateS3Prefix(fields.prefix);
    const s3 = new S3Hook(fields.connId, ctx);
    const dynamo = new DynamoDbHook(fields.dynamoDbConnId ?? fields.connId, ctx);
    try {
      const keySchema = await dynamo.describeKeySchema(table);
      const tableKey = keyAttributeNames(keySchema);
      if (fields.keyFields && fields.keyFields.join(',') !== tableKey.join(',')) {
        throw new ValidationError(
          `operator aws.s3-to-dynamodb: table '${table}' has key (${tableKey.join(', ')}), not (${fields.keyFields.join(', ')})`,
          'keyFields',
        );
      }

      let objectsRead = 0;
      let recordsInObject = 0;
      let currentKey = '';
      let skipsLogged = 0;
      async function* objectKeys(): AsyncGenerator<string> {
        if (explicitKeys) return yield* explicitKeys;
        for await (const object of s3.listObjects(bucket, prefix)) {
          if (fields.suffixes.some((suffix) => object.key.endsWith(suffix))) yield object.key;
        }
      }
      async function* records(): AsyncGenerator<unknown> {
        for await (const key of objectKeys()) {
          currentKey = key;
          recordsInObject = 0;
          objectsRead += 1;
          const options = fields.gzip === undefined ? {} : { gzip: fields.gzip };
          for await (const record of s3.readJsonLines(bucket, key, options)) {
            recordsInObject += 1;
            yield fields.fieldMap ? mapFields(record, fields.fieldMap) : record;
          }
        }
      }
      // The hook checks each record as soon as it is read, so the current object and record name it.
      const where = (): string => `${formatS3Url(bucket, currentKey)} record ${recordsInObject}`;
      const counts = await dynamo.batchWrite(table, records(), {
        keySchema,
        invalidItems: fields.invalidItems,
        describeItem: (index) => `${where()} (item ${index})`,
        onSkip: (_index, reason) => {
          if (skipsLogged++ < SKIPS_LOGGED) ctx.log.warn('skipped record', { record: where(), reason });
        },
      });
      if (objectsRead === 0) ctx.log.warn('no objects to load', { url: formatS3Url(bucket, prefix ?? '') });

      const assetUri = `dynamodb://${await dynamo.region()}/${table}`;
      const summary = { itemsWritten: counts.itemsWritten, objectsRead, skipped: counts.skipped, retries: counts.retries };
      ctx.log.info('loaded items', { table, ...summary, recordsRead: counts.itemsRead, duplicates: counts.duplicates });
      ctx.recordAssetEvent(assetUri, summary);
      return { table, ...summary, recordsRead: counts.itemsRead, duplicates: counts.duplicates, assetUri };
    } finally {
      await Promise.all([s3.destroy(), dynamo.destroy()]);
    }
  },
});

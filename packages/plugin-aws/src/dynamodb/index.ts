/**
 * DynamoDB loading: the `DynamoDbHook` (key schema, batched writes with retries of unprocessed items) and
 * the `aws.s3-to-dynamodb` transfer. The local test server is in `./testing.js`.
 */
export { DynamoDbOperationError, DynamoDbItemKeyError, DynamoDbUnprocessedItemsError } from './errors.js';
export {
  keyAttributeNames,
  findInvalidItem,
  primaryKeyOf,
  type DynamoDbKeySchema,
  type KeyAttribute,
  type KeyAttributeType,
  type InvalidItem,
} from './key-schema.js';
export { mapFields, type FieldMap } from './field-map.js';
export {
  DynamoDbHook,
  BATCH_WRITE_SIZE,
  DEFAULT_UNPROCESSED_RETRY,
  type DynamoDbHookOptions,
  type UnprocessedRetryPolicy,
  type InvalidItemPolicy,
  type BatchWriteOptions,
  type BatchWriteResult,
} from './dynamodb-hook.js';
export { s3ToDynamoDb, s3ToDynamoDbFields, DEFAULT_JSON_LINES_SUFFIXES, type S3ToDynamoDbOutput } from './s3-to-dynamodb.js';

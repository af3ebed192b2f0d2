/**
 * Error classes of the DynamoDB loader. Each has a stable `name` and keeps the SDK error as `cause`.
 * Messages name the table, item position and key attribute, never item values.
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/core';

/** A DynamoDB call failed; the message names the operation and the table. */
export class DynamoDbOperationError extends SluiceError {
  override name = 'DynamoDbOperationError';
  constructor(
    message: string,
    /** The DynamoDB operation, e.g. `BatchWriteItem`. */
    readonly operation: string,
    options: SluiceErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** An item cannot be written: it is not an object, or a key attribute is missing, empty or of the wrong type. */
export class DynamoDbItemKeyError extends SluiceError {
  override name = 'DynamoDbItemKeyError';
  constructor(
    message: string,
    /** 0-based position of the item in what was given to `batchWrite`. */
    readonly itemIndex: number,
    /** The key attribute at fault, when one is. */
    readonly keyAttribute: string | undefined,
  ) {
    super(message);
  }
}

/** DynamoDB still returned unprocessed items after the last retry of a batch. */
export class DynamoDbUnprocessedItemsError extends SluiceError {
  override name = 'DynamoDbUnprocessedItemsError';
  constructor(
    message: string,
    /** Items of the batch that were never written. */
    readonly unprocessed: number,
  ) {
    super(message);
  }
}

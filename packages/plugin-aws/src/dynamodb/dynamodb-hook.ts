/**
 * `DynamoDbHook`: DynamoDB through an `aws` connection. It reads a table's key schema and writes items with
 * BatchWriteItem, 25 at a time, retrying unprocessed items with jittered exponential backoff. It knows
 * nothing of scheduling.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { computeRetryDelayMs, type Hook } from '@sluice/core';
import { awsClientConfig, DEFAULT_AWS_CONNECTION_ID, resolveAwsConnection } from '../hooks/aws-connection.js';
import type { RecordSource } from '../hooks/json-lines.js';
import type { AwsHookContext } from '../hooks/s3.js';
import { sleep as abortableSleep } from '../transfers/host-rate-limiter.js';
import { DynamoDbItemKeyError, DynamoDbOperationError, DynamoDbUnprocessedItemsError } from './errors.js';
import { findInvalidItem, primaryKeyOf, type DynamoDbKeySchema, type KeyAttribute, type KeyAttributeType } from './key-schema.js';

/** Items per BatchWriteItem request (DynamoDB's limit). */
export const BATCH_WRITE_SIZE = 25;

/** How unprocessed items of a batch are retried. */
export interface UnprocessedRetryPolicy {
  /** Retries per batch before giving up with {@link DynamoDbUnprocessedItemsError}. */
  maxRetries: number;
  /** Delay before the first retry; doubles each retry, with "equal jitter" (a random value in `[d/2, d]`). */
  baseDelayMs: number;
  /** Upper bound of one delay. */
  maxDelayMs: number;
}

/** Default {@link UnprocessedRetryPolicy}: 8 retries, 50 ms doubling up to 5 s (about 13 s at most per batch). */
export const DEFAULT_UNPROCESSED_RETRY: UnprocessedRetryPolicy = { maxRetries: 8, baseDelayMs: 50, maxDelayMs: 5_000 };

/** Options of {@link DynamoDbHook}. */
export interface DynamoDbHookOptions {
  /** A ready document client to use instead of building one from the connection. The hook does not destroy it. */
  client?: DynamoDBDocumentClient;
  /** Retry policy for unprocessed items (merged over {@link DEFAULT_UNPROCESSED_RETRY}). */
  retry?: Partial<UnprocessedRetryPolicy>;
  /** Waits between retries; must reject when the signal aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform numbers in `[0, 1)` for the jitter. Default `Math.random`. */
  random?: () => number;
}

/** What to do with an item that cannot be written (not an object; key attribute missing, empty or mistyped). */
export type InvalidItemPolicy = 'error' | 'skip';

/** Options of {@link DynamoDbHook.batchWrite}. */
export interface BatchWriteOptions {
  /** `error` (default) throws {@link DynamoDbItemKeyError}; `skip` leaves the item out and counts it. */
  invalidItems?: InvalidItemPolicy;
  /** The table's key; default: read with {@link DynamoDbHook.describeKeySchema}. */
  keySchema?: DynamoDbKeySchema;
  /** Names an item in messages, e.g. by its source object and record. Default `item <index>`. */
  describeItem?: (index: number) => string;
  /** Called for each skipped item (policy `skip`). */
  onSkip?: (index: number, reason: string) => void;
}

/** Counts of a {@link DynamoDbHook.batchWrite}. */
export interface BatchWriteResult {
  /** Items taken from the source. */
  itemsRead: number;
  /** Put requests DynamoDB accepted. */
  itemsWritten: number;
  /** Items left out under the `skip` policy. */
  skipped: number;
  /** Items replaced by a later item with the same key in the same batch (the last one is written). */
  duplicates: number;
  /** BatchWriteItem batches of up to 25 distinct keys. */
  batches: number;
  /** Requests that re-sent unprocessed items. */
  retries: number;
}

type Item = Record<string, unknown>;
type WriteRequests = NonNullable<BatchWriteCommand['input']['RequestItems']>[string];

/**
 * DynamoDB through an `aws` connection (see {@link resolveAwsConnection}); `extra.endpoint_url` points it
 * at a DynamoDB-compatible server. The context's `AbortSignal` cancels every call and every backoff wait.
 *
 * ```ts
 * const dynamo = new DynamoDbHook('aws_default', ctx);
 * const counts = await dynamo.batchWrite('events', records, { invalidItems: 'skip' });
 * await dynamo.destroy();
 * ```
 */
export class DynamoDbHook implements Hook {
  private clientPromise: Promise<DynamoDBDocumentClient> | undefined;
  private readonly ownsClient: boolean;
  private readonly retry: UnprocessedRetryPolicy;

  /**
   * @param connectionId - the `aws` connection (default `aws_default`).
   * @param ctx - resolves the connection; its `signal` aborts every call.
   */
  constructor(
    readonly connectionId: string = DEFAULT_AWS_CONNECTION_ID,
    private readonly ctx: AwsHookContext,
    private readonly options: DynamoDbHookOptions = {},
  ) {
    this.ownsClient = options.client === undefined;
    if (options.client) this.clientPromise = Promise.resolve(options.client);
    this.retry = { ...DEFAULT_UNPROCESSED_RETRY, ...options.retry };
  }

  /** The document client (items as plain JS values), built once from the connection. */
  async getClient(): Promise<DynamoDBDocumentClient> {
    this.clientPromise ??= this.ctx.getConnection(this.connectionId).then(async (connection) => {
      const client = new DynamoDBClient(awsClientConfig(await resolveAwsConnection(connection)));
      return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    });
    return this.clientPromise;
  }

  /** The client's region (from the connection, or the SDK's own lookup). */
  async region(): Promise<string> {
    return (await this.getClient()).config.region();
  }

  /** Closes the client's sockets (unless it was passed in). The hook builds a new client if used again. */
  async destroy(): Promise<void> {
    const client = await this.clientPromise?.catch(() => undefined);
    this.clientPromise = undefined;
    if (this.ownsClient) client?.destroy();
  }

  private async call<T>(operation: string, table: string, send: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
    const client = await this.getClient();
    try {
      return await send(client);
    } catch (error) {
      if (this.ctx.signal?.aborted) throw this.ctx.signal.reason;
      const name = (error as Error)?.name ?? 'Error';
      throw new DynamoDbOperationError(`DynamoDB ${operation} on table '${table}' failed: ${name}: ${(error as Error)?.message ?? ''}`, operation, {
        cause: error,
      });
    }
  }

  private opts(): { abortSignal?: AbortSignal } {
    return this.ctx.signal ? { abortSignal: this.ctx.signal } : {};
  }

  /** The table's primary key (DescribeTable). @throws DynamoDbOperationError, e.g. when the table does not exist. */
  async describeKeySchema(table: string): Promise<DynamoDbKeySchema> {
    const response = await this.call('DescribeTable', table, (client) => client.send(new DescribeTableCommand({ TableName: table }), this.opts()));
    const definitions = response.Table?.AttributeDefinitions ?? [];
    const attribute = (role: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
      const name = response.Table?.KeySchema?.find((k) => k.KeyType === role)?.AttributeName;
      if (name === undefined) return undefined;
      const type = definitions.find((d) => d.AttributeName === name)?.AttributeType as KeyAttributeType | undefined;
      return { name, type: type ?? 'S' };
    };
    const partitionKey = attribute('HASH');
    if (!partitionKey) throw new DynamoDbOperationError(`DynamoDB DescribeTable on table '${table}' returned no partition key`, 'DescribeTable');
    const sortKey = attribute('RANGE');
    return sortKey ? { partitionKey, sortKey } : { partitionKey };
  }

  /**
   * Writes items with PutRequests (an item replaces the one with the same key, so loading the same items
   * again leaves the table as it was). Items are read from `items` as they come and sent in batches of up
   * to 25 distinct keys, one batch at a time, so memory stays bounded and a later item always wins over an
   * earlier one with the same key. Within a batch, a repeated key replaces the earlier item (DynamoDB would
   * reject the batch). Unprocessed items are retried with backoff. Batches written before a failure stay
   * written; a rerun overwrites them.
   *
   * @throws DynamoDbItemKeyError (policy `error`), DynamoDbUnprocessedItemsError, DynamoDbOperationError,
   *   or the signal's reason when aborted.
   */
  async batchWrite(table: string, items: RecordSource, options: BatchWriteOptions = {}): Promise<BatchWriteResult> {
    const schema = options.keySchema ?? (await this.describeKeySchema(table));
    const describe = options.describeItem ?? ((index: number) => `item ${index}`);
    const result: BatchWriteResult = { itemsRead: 0, itemsWritten: 0, skipped: 0, duplicates: 0, batches: 0, retries: 0 };
    const batch = new Map<string, Item>();
    for await (const item of items as AsyncIterable<unknown>) {
      const index = result.itemsRead++;
      const invalid = findInvalidItem(item, schema);
      if (invalid) {
        if (options.invalidItems !== 'skip') {
          throw new DynamoDbItemKeyError(`table '${table}': ${describe(index)} ${invalid.reason}`, index, invalid.attribute);
        }
        result.skipped += 1;
        options.onSkip?.(index, invalid.reason);
        continue;
      }
      const key = primaryKeyOf(item as Item, schema);
      if (batch.delete(key)) result.duplicates += 1;
      batch.set(key, item as Item);
      if (batch.size === BATCH_WRITE_SIZE) {
        await this.writeBatch(table, [...batch.values()], result);
        batch.clear();
      }
    }
    if (batch.size > 0) await this.writeBatch(table, [...batch.values()], result);
    return result;
  }

  /** One BatchWriteItem of up to 25 distinct keys, then retries of what came back unprocessed. */
  private async writeBatch(table: string, items: Item[], result: BatchWriteResult): Promise<void> {
    const signal = this.ctx.signal;
    const wait = this.options.sleep ?? abortableSleep;
    result.batches += 1;
    let requests: WriteRequests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let retry = 0; ; retry++) {
      signal?.throwIfAborted();
      const response = await this.call('BatchWriteItem', table, (client) =>
        client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }), this.opts()),
      );
      const unprocessed: WriteRequests = response.UnprocessedItems?.[table] ?? [];
      result.itemsWritten += requests.length - unprocessed.length;
      if (unprocessed.length === 0) return;
      if (retry >= this.retry.maxRetries) {
        throw new DynamoDbUnprocessedItemsError(
          `table '${table}': ${unprocessed.length} item(s) still unprocessed after ${this.retry.maxRetries} retries`,
          unprocessed.length,
        );
      }
      const delay = computeRetryDelayMs(
        { retryDelayMs: this.retry.baseDelayMs, exponentialBackoff: true, maxRetryDelayMs: this.retry.maxDelayMs },
        retry + 1,
        this.options.random,
      );
      result.retries += 1;
      await wait(delay, signal);
      requests = unprocessed;
    }
  }
}

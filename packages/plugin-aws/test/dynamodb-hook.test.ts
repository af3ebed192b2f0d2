import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbHook, type DynamoDbHookOptions } from '../src/dynamodb/index.js';
import { startDynamoDbServer, type LocalDynamoDbServer } from '../src/dynamodb/testing.js';

let dynamo: LocalDynamoDbServer;
let tableNumber = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbServer();
});

afterAll(async () => {
  await dynamo?.stop();
});

/** A fresh table keyed by `id` (string), or by the given key. */
async function newTable(key: Parameters<LocalDynamoDbServer['createTable']>[1] = { partitionKey: 'id' }): Promise<string> {
  const name = `table_${++tableNumber}`;
  await dynamo.createTable(name, key);
  return name;
}

function hookFor(options: DynamoDbHookOptions = {}, signal?: AbortSignal): DynamoDbHook {
  return new DynamoDbHook('aws_default', { getConnection: async () => dynamo.connection(), signal }, options);
}

function sortById(items: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...items].sort((a, b) => String(a.id).localeCompare(String(b.id), 'en', { numeric: true }));
}

/**
 * Test-only decorator of a real document client: the first `times` BatchWriteItem calls write all but the
 * last `holdBack` requests to dynalite and return those as UnprocessedItems, as a throttled table does.
 * `times: Infinity` with `writeAccepted` always holds back.
 */
function holdBackUnprocessed(client: DynamoDBDocumentClient, holdBack: number, times = 1): { batchSizes: number[] } {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
  const batchSizes: number[] = [];
  let held = 0;
  const decorated = async (command: unknown, options?: unknown): Promise<unknown> => {
    if (!(command instanceof BatchWriteCommand)) return send(command, options);
    const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0] ?? ['', []];
    batchSizes.push(requests.length);
    if (held >= times) return send(command, options);
    held += 1;
    const cut = Math.max(0, requests.length - holdBack);
    if (cut > 0) await send(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, cut) } }), options);
    return { UnprocessedItems: { [table]: requests.slice(cut) }, $metadata: {} };
  };
  client.send = decorated as unknown as typeof client.send;
  return { batchSizes };
}

describe('DynamoDbHook', () => {
  it('reads the key schema of a table', async () => {
    const hook = hookFor();
    try {
      const simple = await newTable();
      expect(await hook.describeKeySchema(simple)).toEqual({ partitionKey: { name: 'id', type: 'S' } });
      const composite = await newTable({ partitionKey: 'user', sortKey: { name: 'ts', type: 'N' } });
      expect(await hook.describeKeySchema(composite)).toEqual({ partitionKey: { name: 'user', type: 'S' }, sortKey: { name: 'ts', type: 'N' } });
      await expect(hook.describeKeySchema('no_such_table')).rejects.toMatchObject({
        name: 'DynamoDbOperationError',
        operation: 'DescribeTable',
        cause: { name: 'ResourceNotFoundException' },
      });
    } finally {
      await hook.destroy();
    }
  });

  it('writes 130 items in batches of 25 (the last one 5)', async () => {
    const table = await newTable();
    const client = dynamo.createClient();
    const { batchSizes } = holdBackUnprocessed(client, 0, 0);
    const hook = hookFor({ client });
    try {
      const items = Array.from({ length: 130 }, (_, i) => ({ id: `u${i}`, n: i, tags: ['a', 'b'], nested: { ok: true } }));
      const result = await hook.batchWrite(table, items);
      expect(result).toEqual({ itemsRead: 130, itemsWritten: 130, skipped: 0, duplicates: 0, batches: 6, retries: 0 });
      expect(batchSizes).toEqual([25, 25, 25, 25, 25, 5]);
      const stored = sortById(await dynamo.scan(table));
      expect(stored).toHaveLength(130);
      expect(stored[129]).toEqual({ id: 'u129', n: 129, tags: ['a', 'b'], nested: { ok: true } });
    } finally {
      await hook.destroy();
      client.destroy();
    }
  });

  it('retries unprocessed items with jittered exponential backoff until all are written', async () => {
    const table = await newTable();
    const client = dynamo.createClient();
    const { batchSizes } = holdBackUnprocessed(client, 10, 3);
    const delays: number[] = [];
    const hook = hookFor({ client, sleep: async (ms) => void delays.push(ms), random: () => 0.5, retry: { baseDelayMs: 100, maxDelayMs: 1000 } });
    try {
      const items = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, v: i }));
      const result = await hook.batchWrite(table, items);
      // Batch 1 (25): 15 written, 10 back; retry: 0 written, 10 back; retry: 0 written, 10 back; retry: 10. Then batch 2 (5).
      expect(batchSizes).toEqual([25, 10, 10, 10, 5]);
      expect(result).toMatchObject({ itemsRead: 30, itemsWritten: 30, batches: 2, retries: 3 });
      // Equal jitter with random 0.5: 3/4 of 100, 200, 400.
      expect(delays).toEqual([75, 150, 300]);
      expect(sortById(await dynamo.scan(table)).map((i) => i.v)).toEqual(items.map((i) => i.v));
    } finally {
      await hook.destroy();
      client.destroy();
    }
  });

  it('gives up after the last retry, with delays capped at maxDelayMs', async () => {
    const table = await newTable();
    const client = dynamo.createClient();
    holdBackUnprocessed(client, 2, Infinity);
    const delays: number[] = [];
    const hook = hookFor({ client, sleep: async (ms) => void delays.push(ms), random: () => 1, retry: { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 300 } });
    try {
      await expect(hook.batchWrite(table, [{ id: 'a' }, { id: 'b' }, { id: 'c' }])).rejects.toMatchObject({
        name: 'DynamoDbUnprocessedItemsError',
        unprocessed: 2,
        message: expect.stringContaining('after 4 retries'),
      });
      expect(delays).toEqual([100, 200, 300, 300]);
      expect((await dynamo.scan(table)).map((i) => i.id)).toEqual(['a']);
    } finally {
      await hook.destroy();
      client.destroy();
    }
  });

  it('stops waiting when the task is aborted', async () => {
    const table = await newTable();
    const client = dynamo.createClient();
    holdBackUnprocessed(client, 1, Infinity);
    const controller = new AbortController();
    const hook = hookFor({ client, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } }, controller.signal);
    try {
      setTimeout(() => controller.abort(new Error('task cancelled')), 50);
      const started = Date.now();
      await expect(hook.batchWrite(table, [{ id: 'a' }, { id: 'b' }])).rejects.toThrow('task cancelled');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await hook.destroy();
      client.destroy();
    }
  });

  it('names the item and key attribute of an invalid item, or skips and counts invalid items', async () => {
    const table = await newTable({ partitionKey: 'id', sortKey: { name: 'ts', type: 'N' } });
    const hook = hookFor();
    try {
      const items: unknown[] = [{ id: 'a', ts: 1 }, { id: 'b' }, { id: 'c', ts: '2' }, 'not an object', { id: '', ts: 3 }, { id: 'd', ts: 4 }];
      await expect(hook.batchWrite(table, items)).rejects.toMatchObject({
        name: 'DynamoDbItemKeyError',
        itemIndex: 1,
        keyAttribute: 'ts',
        message: `table '${table}': item 1 has no key attribute 'ts'`,
      });
      const skipped: [number, string][] = [];
      const result = await hook.batchWrite(table, items, { invalidItems: 'skip', onSkip: (i, reason) => void skipped.push([i, reason]) });
      expect(result).toMatchObject({ itemsRead: 6, itemsWritten: 2, skipped: 4 });
      expect(skipped).toEqual([
        [1, "has no key attribute 'ts'"],
        [2, "key attribute 'ts' is not of type N (got string)"],
        [3, 'is not an object'],
        [4, "key attribute 'id' is empty"],
      ]);
      expect(sortById(await dynamo.scan(table))).toEqual([{ id: 'a', ts: 1 }, { id: 'd', ts: 4 }]);
    } finally {
      await hook.destroy();
    }
  });

  it('keeps the last of several items with the same key in one batch, and reruns overwrite', async () => {
    const table = await newTable({ partitionKey: 'id', sortKey: { name: 'ts', type: 'N' } });
    const hook = hookFor();
    try {
      const items = [
        { id: 'a', ts: 1, v: 'first' },
        { id: 'a', ts: 2, v: 'other sort key' },
        { id: 'b', ts: 1, v: 'only' },
        { id: 'a', ts: 1, v: 'second' },
        { id: 'a', ts: 1, v: 'last' },
      ];
      // DynamoDB itself rejects such a batch.
      const raw = dynamo.createClient();
      try {
        const request = new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } });
        await expect(raw.send(request)).rejects.toThrow('Provided list of item keys contains duplicates');
      } finally {
        raw.destroy();
      }

      expect(await hook.batchWrite(table, items)).toMatchObject({ itemsRead: 5, itemsWritten: 3, duplicates: 2, batches: 1 });
      const rows = (await dynamo.scan(table)).map((i) => `${String(i.id)}/${String(i.ts)}=${String(i.v)}`).sort();
      expect(rows).toEqual(['a/1=last', 'a/2=other sort key', 'b/1=only']);

      await hook.batchWrite(table, [{ id: 'a', ts: 1, v: 'rerun' }, { id: 'b', ts: 1, v: 'only' }]);
      const again = (await dynamo.scan(table)).map((i) => `${String(i.id)}/${String(i.ts)}=${String(i.v)}`).sort();
      expect(again).toEqual(['a/1=rerun', 'a/2=other sort key', 'b/1=only']);
    } finally {
      await hook.destroy();
    }
  });

  it('reads items from an async iterable as it writes', async () => {
    const table = await newTable();
    const hook = hookFor();
    let pulled = 0;
    async function* source(): AsyncGenerator<Record<string, unknown>> {
      for (let i = 0; i < 60; i++) {
        pulled += 1;
        yield { id: `s${i}` };
      }
    }
    try {
      expect(await hook.batchWrite(table, source())).toMatchObject({ itemsRead: 60, itemsWritten: 60, batches: 3 });
      expect(pulled).toBe(60);
      expect(await dynamo.scan(table)).toHaveLength(60);
    } finally {
      await hook.destroy();
    }
  });
});

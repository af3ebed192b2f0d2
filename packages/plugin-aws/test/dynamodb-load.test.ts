import { dag } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Hook } from '../src/index.js';
import { s3ToDynamoDb } from '../src/dynamodb/index.js';
import { startDynamoDbServer, type LocalDynamoDbServer } from '../src/dynamodb/testing.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';
import { fakeContext } from './fake-context.js';

const BUCKET = 'lake';
/** S3 and DynamoDB run on two servers, so the DynamoDB side has its own connection. */
const DYNAMO_CONN = 'aws_dynamodb';

let s3: LocalS3Server;
let dynamo: LocalDynamoDbServer;
let hook: S3Hook;

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startS3Server({ buckets: [BUCKET] }), startDynamoDbServer()]);
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
});

afterAll(async () => {
  await hook?.destroy();
  await Promise.all([s3?.stop(), dynamo?.stop()]);
});

function context(ds = '2026-04-05'): ReturnType<typeof fakeContext> {
  return fakeContext([s3.connection(), dynamo.connection(DYNAMO_CONN)], { ds });
}

function users(from: number, to: number, version: string): Record<string, unknown>[] {
  return Array.from({ length: to - from }, (_, i) => ({ user_id: `u${from + i}`, name: `user ${from + i}`, version, profile: { age: 20 + i } }));
}

function byUserId(items: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...items].sort((a, b) => String(a.user_id).localeCompare(String(b.user_id), 'en', { numeric: true }));
}

describe('aws.s3-to-dynamodb', () => {
  it('loads every JSON Lines object under a templated prefix (gzip too); a rerun overwrites the same items', async () => {
    await dynamo.createTable('users', { partitionKey: 'user_id' });
    const stage = async (version: string): Promise<void> => {
      await hook.writeJsonLines(BUCKET, 'curated/users/dt=2026-04-05/part-0.jsonl', users(0, 70, version));
      await hook.writeJsonLines(BUCKET, 'curated/users/dt=2026-04-05/part-1.jsonl.gz', users(70, 130, version));
    };
    await stage('v1');
    await hook.put(BUCKET, 'curated/users/dt=2026-04-05/_SUCCESS', '');
    const load = s3ToDynamoDb({ bucket: BUCKET, prefix: 'curated/users/dt={{ ds }}/', table: 'users', keyFields: ['user_id'], dynamoDbConnId: DYNAMO_CONN });
    const ctx = context();

    const first = await load.run(ctx, {});
    expect(first).toEqual({
      table: 'users',
      itemsWritten: 130,
      objectsRead: 2,
      skipped: 0,
      retries: 0,
      recordsRead: 130,
      duplicates: 0,
      assetUri: 'dynamodb://us-east-1/users',
    });
    const stored = byUserId(await dynamo.scan('users'));
    expect(stored).toHaveLength(130);
    expect(stored[75]).toEqual({ user_id: 'u75', name: 'user 75', version: 'v1', profile: { age: 25 } });

    await stage('v2');
    const rerun = await load.run(ctx, {});
    expect(rerun.itemsWritten).toBe(130);
    const after = await dynamo.scan('users');
    expect(after).toHaveLength(130);
    expect(new Set(after.map((i) => i.version))).toEqual(new Set(['v2']));

    expect(ctx.assetEvents).toEqual([
      { uri: 'dynamodb://us-east-1/users', metadata: { itemsWritten: 130, objectsRead: 2, skipped: 0, retries: 0 } },
      { uri: 'dynamodb://us-east-1/users', metadata: { itemsWritten: 130, objectsRead: 2, skipped: 0, retries: 0 } },
    ]);
  });

  it('loads listed keys with a field mapping, and skips or rejects records without a key', async () => {
    await dynamo.createTable('events', { partitionKey: 'pk', sortKey: { name: 'ts', type: 'N' } });
    await hook.writeJsonLines(BUCKET, 'events/a.jsonl', [
      { user: { id: 'x' }, at: 1, kind: 'click', ignored: true },
      { user: { id: 'x' }, at: 2, kind: 'view' },
      { user: {}, at: 3, kind: 'lost' },
    ]);
    await hook.writeJsonLines(BUCKET, 'events/dt=2026-04-05/b.jsonl.gz', [{ user: { id: 'y' }, at: 1, kind: 'click' }, 42]);
    const fields = {
      bucket: BUCKET,
      keys: ['events/a.jsonl', 'events/dt={{ ds }}/b.jsonl.gz'],
      table: 'events',
      fieldMap: { pk: 'user.id', ts: 'at', kind: 'kind' },
      dynamoDbConnId: DYNAMO_CONN,
    };
    const ctx = context('2026-04-05');

    await expect(s3ToDynamoDb(fields).run(ctx, {})).rejects.toMatchObject({
      name: 'DynamoDbItemKeyError',
      itemIndex: 2,
      keyAttribute: 'pk',
      message: "table 'events': s3://lake/events/a.jsonl record 3 (item 2) has no key attribute 'pk'",
    });

    const skipped = await s3ToDynamoDb({ ...fields, invalidItems: 'skip' }).run(ctx, {});
    expect(skipped).toMatchObject({ itemsWritten: 3, objectsRead: 2, skipped: 2, recordsRead: 5 });
    const rows = (await dynamo.scan('events')).sort((a, b) => `${String(a.pk)}${String(a.ts)}`.localeCompare(`${String(b.pk)}${String(b.ts)}`));
    expect(rows).toEqual([
      { pk: 'x', ts: 1, kind: 'click' },
      { pk: 'x', ts: 2, kind: 'view' },
      { pk: 'y', ts: 1, kind: 'click' },
    ]);
  });

  it('keeps the last record of a repeated key and refuses a table whose key differs from keyFields', async () => {
    await dynamo.createTable('latest', { partitionKey: 'user_id' });
    await hook.writeJsonLines(BUCKET, 'dups/part.jsonl', [
      { user_id: 'a', v: 1 },
      { user_id: 'b', v: 1 },
      { user_id: 'a', v: 2 },
    ]);
    const ctx = context();
    const out = await s3ToDynamoDb({ bucket: BUCKET, prefix: 'dups/', table: 'latest', dynamoDbConnId: DYNAMO_CONN }).run(ctx, {});
    expect(out).toMatchObject({ itemsWritten: 2, duplicates: 1 });
    expect(byUserId(await dynamo.scan('latest'))).toEqual([{ user_id: 'a', v: 2 }, { user_id: 'b', v: 1 }]);

    await expect(
      s3ToDynamoDb({ bucket: BUCKET, prefix: 'dups/', table: 'latest', keyFields: ['id'], dynamoDbConnId: DYNAMO_CONN }).run(ctx, {}),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining("table 'latest' has key (user_id), not (id)") });
    expect(() => s3ToDynamoDb({ bucket: BUCKET, table: 'latest' })).toThrow("give exactly one of 'prefix' and 'keys'");
  });

  it('runs in a DAG with the connections from the environment', async () => {
    await dynamo.createTable('dag_users', { partitionKey: 'user_id' });
    await hook.writeJsonLines(BUCKET, 'dag/users/dt=2026-02-03/part-0.jsonl.gz', users(0, 40, 'dag'));
    const d = dag({ id: 'aws_dynamodb_load_demo', schedule: null });
    d.task('load', s3ToDynamoDb({ bucket: BUCKET, prefix: 'dag/users/dt={{ ds }}/', table: 'dag_users', dynamoDbConnId: DYNAMO_CONN }));
    const result = await testDag(d, {
      logicalDate: new Date('2026-02-03T00:00:00Z'),
      env: { SLUICE_CONN_AWS_DEFAULT: s3.connectionJson(), ...dynamo.env(DYNAMO_CONN) },
    });
    expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
    expect(result.tasks[0]?.output).toMatchObject({ table: 'dag_users', itemsWritten: 40, objectsRead: 1, skipped: 0 });
    expect(await dynamo.scan('dag_users')).toHaveLength(40);
  });
});

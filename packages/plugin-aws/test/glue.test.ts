import { dag } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { types as t } from '../src/crawler/index.js';
import { s3CrawlerOperator } from '../src/crawler/index.js';
import { registerGlueTable } from '../src/glue/glue-catalog.js';
import { hiveType } from '../src/glue/hive-types.js';
import { S3Hook } from '../src/hooks/s3.js';
import { startGlueServer, startS3Server, type LocalGlueServer, type LocalS3Server } from '../src/testing/index.js';
import { fakeContext } from './fake-context.js';

let glue: LocalGlueServer;
let s3: LocalS3Server;
beforeAll(async () => {
  [glue, s3] = await Promise.all([startGlueServer(), startS3Server()]);
  await s3.createBucket('glue-lake');
});
afterAll(async () => {
  await Promise.all([glue?.stop(), s3?.stop()]);
});

it('renders crawler types as Hive types', () => {
  expect(hiveType(t.struct([{ name: 'b', type: t.array(t.double()), nullable: true }, { name: 'a', type: t.int(), nullable: false }]))).toBe(
    'struct<a:int,b:array<double>>',
  );
  expect(hiveType(t.null())).toBe('string');
  expect(hiveType(t.timestamp())).toBe('timestamp');
});

it('creates the database and table, then updates it', async () => {
  const client = glue.createClient();
  try {
    const table = {
      database: 'raw_direct',
      table: 'events',
      location: 's3://lake/events/',
      format: 'csv',
      columns: [{ name: 'id', type: t.bigint(), nullable: false }],
      partitionKeys: [{ name: 'dt', type: t.string(), nullable: false }],
      recordCount: 7,
    };
    expect(await registerGlueTable(client, table)).toBe('created');
    expect(await registerGlueTable(client, { ...table, columns: [...table.columns, { name: 'v', type: t.double(), nullable: true }] })).toBe('updated');
    const stored = glue.tables.get('raw_direct.events');
    expect(stored?.versions).toBe(2);
    expect(stored?.input).toMatchObject({
      Name: 'events',
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'csv', recordCount: '7' },
      PartitionKeys: [{ Name: 'dt', Type: 'string' }],
      StorageDescriptor: {
        Location: 's3://lake/events/',
        Columns: [
          { Name: 'id', Type: 'bigint' },
          { Name: 'v', Type: 'double' },
        ],
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' },
      },
    });
  } finally {
    client.destroy();
  }
});

it('the crawler registers its table in Glue when configured, through a real DAG run', async () => {
  const hook = new S3Hook('aws_default', fakeContext([s3.connection()]));
  try {
    await hook.writeJsonLines('glue-lake', 'posts/dt=2026-05-01/part-0.jsonl', [
      { id: 1, title: 'a', meta: { score: 2 } },
      { id: 2, title: 'b', meta: { score: 2.5 } },
    ]);
  } finally {
    await hook.destroy();
  }
  const d = dag({ id: 'crawl_glue', schedule: null });
  d.task('crawl', s3CrawlerOperator({ bucket: 'glue-lake', prefix: 'posts/', database: 'raw', table: 'posts', glue: { connId: 'aws_glue' } }));
  const result = await testDag(d, { env: { ...s3.env(), SLUICE_CONN_AWS_GLUE: glue.connectionJson() } });
  expect(result.state, JSON.stringify(result.tasks.map((x) => [x.taskId, x.state, x.error]))).toBe('success');
  expect(result.tasks[0]?.output).toMatchObject({ glue: 'created', version: 1 });
  expect(glue.databases.has('raw')).toBe(true);
  expect(glue.tables.get('raw.posts')?.input).toMatchObject({
    PartitionKeys: [{ Name: 'dt', Type: 'date' }],
    StorageDescriptor: {
      Location: 's3://glue-lake/posts/',
      Columns: [
        { Name: 'id', Type: 'int' },
        { Name: 'meta', Type: 'struct<score:double>' },
        { Name: 'title', Type: 'string' },
      ],
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    },
  });
});

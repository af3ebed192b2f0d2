import { dag } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Hook, s3CopyPrefix, s3DeletePrefix, s3KeySensor, s3MovePrefix, s3PrefixSensor, s3StageJsonLines } from '../src/index.js';
import { startS3Server, type LocalS3Server } from '../src/testing/index.js';
import { fakeContext } from './fake-context.js';

const BUCKET = 'lake';
let s3: LocalS3Server;
let hook: S3Hook;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  hook = new S3Hook('aws_default', { getConnection: async () => s3.connection() });
});

afterAll(async () => {
  await hook?.destroy();
  await s3?.stop();
});

async function readAll(key: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of hook.readJsonLines(BUCKET, key)) out.push(record);
  return out;
}

describe('aws.s3-stage-jsonl', () => {
  it('writes a templated partitioned key, reruns overwrite it, and publishes an asset event', async () => {
    const ctx = fakeContext([s3.connection()], { ds: '2026-03-04' });
    const stage = s3StageJsonLines({ bucket: BUCKET, key: 'raw/reddit/dt={{ ds }}/part-{{ ds_nodash }}.jsonl.gz', assetPrefix: 'raw/reddit' });
    const first = await stage.run(ctx, { records: [{ id: 1 }, { id: 2 }] });
    expect(first).toMatchObject({ key: 'raw/reddit/dt=2026-03-04/part-20260304.jsonl.gz', records: 2, assetUri: 's3://lake/raw/reddit' });
    const rerun = await stage.run(ctx, { records: [{ id: 1 }, { id: 2 }, { id: 3 }] });
    expect(rerun.key).toBe(first.key);
    expect(await hook.listKeys(BUCKET, 'raw/reddit/')).toEqual([first.key]);
    expect(await readAll(first.key)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(ctx.assetEvents).toHaveLength(2);
    expect(ctx.assetEvents[1]).toEqual({ uri: 's3://lake/raw/reddit', metadata: { keys: [first.key], records: 3, bytes: rerun.bytes } });
  });

  it('never renders record contents and validates the rendered key', async () => {
    const ctx = fakeContext([s3.connection()]);
    const out = await s3StageJsonLines({ bucket: BUCKET, key: 'raw/t/x.jsonl', records: [{ title: '{{ ds }}' }] }).run(ctx, {});
    expect(await readAll(out.key)).toEqual([{ title: '{{ ds }}' }]);
    expect(out.assetUri).toBe('s3://lake/raw/t');
    await expect(s3StageJsonLines({ bucket: BUCKET, key: 'raw/../etc/x.jsonl', records: [] }).run(ctx, {})).rejects.toMatchObject({ name: 'S3KeyError' });
    await expect(s3StageJsonLines({ bucket: BUCKET, key: 'raw/x.jsonl' }).run(ctx, {})).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('prefix operators', () => {
  it('copies, moves and deletes every object under a prefix', async () => {
    const ctx = fakeContext([s3.connection()], { ds: '2026-05-06' });
    for (const name of ['a.jsonl', 'b.jsonl', 'sub/c.jsonl']) await hook.put(BUCKET, `staging/dt=2026-05-06/${name}`, name);
    const copied = await s3CopyPrefix({ sourceBucket: BUCKET, sourcePrefix: 'staging/dt={{ ds }}/', targetPrefix: 'copy/dt={{ ds }}/' }).run(ctx, {});
    expect(copied.count).toBe(3);
    expect(await hook.listKeys(BUCKET, 'copy/')).toEqual(['copy/dt=2026-05-06/a.jsonl', 'copy/dt=2026-05-06/b.jsonl', 'copy/dt=2026-05-06/sub/c.jsonl']);
    expect(ctx.assetEvents[0]).toMatchObject({ uri: 's3://lake/copy/dt=2026-05-06', metadata: { count: 3 } });

    const moved = await s3MovePrefix({ sourceBucket: BUCKET, sourcePrefix: 'staging/dt={{ ds }}/', targetPrefix: 'loaded/dt={{ ds }}/' }).run(ctx, {});
    expect(moved.count).toBe(3);
    expect(await hook.listKeys(BUCKET, 'staging/')).toEqual([]);
    expect(await hook.getString(BUCKET, 'loaded/dt=2026-05-06/sub/c.jsonl')).toBe('sub/c.jsonl');

    const deleted = await s3DeletePrefix({ bucket: BUCKET, prefix: 'copy/dt={{ ds }}/' }).run(ctx, {});
    expect(deleted).toEqual({ url: 's3://lake/copy/dt=2026-05-06/', deleted: 3 });
    expect(await hook.listKeys(BUCKET, 'copy/')).toEqual([]);
    await expect(s3CopyPrefix({ sourceBucket: BUCKET, sourcePrefix: 'a/', targetPrefix: 'a/b/' }).run(ctx, {})).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('sensors', () => {
  it('key exists: false, then true with the size', async () => {
    const ctx = fakeContext([s3.connection()], { ds: '2026-07-08' });
    const sensor = s3KeySensor({ bucket: BUCKET, key: 'exports/dt={{ ds }}/_SUCCESS' });
    expect(await sensor.poke(ctx, {})).toBe(false);
    await hook.put(BUCKET, 'exports/dt=2026-07-08/_SUCCESS', 'ok');
    expect(await sensor.poke(ctx, {})).toEqual({ done: true, output: { key: 'exports/dt=2026-07-08/_SUCCESS', size: 2 } });
  });

  it('prefix count >= N: false below N, true at N', async () => {
    const ctx = fakeContext([s3.connection()]);
    const sensor = s3PrefixSensor({ bucket: BUCKET, prefix: 'parts/', minObjects: 3 });
    await hook.put(BUCKET, 'parts/1', '1');
    await hook.put(BUCKET, 'parts/2', '2');
    expect(await sensor.poke(ctx, {})).toBe(false);
    await hook.put(BUCKET, 'parts/3', '3');
    expect(await sensor.poke(ctx, {})).toEqual({ done: true, output: { count: 3 } });
  });
});

describe('inside a DAG run', () => {
  it('stages records from an upstream task and senses them, with the connection from the environment', async () => {
    const d = dag({ id: 'aws_stage_demo', schedule: null });
    const extract = d.task('extract', async () => [{ id: 'a' }, { id: 'b' }]);
    const stage = d.task('stage', { inputs: { records: extract } }, s3StageJsonLines({ bucket: BUCKET, key: 'dag/dt={{ ds }}/part.jsonl' }));
    d.sensor('wait', { upstream: [stage], mode: 'reschedule', pokeInterval: '1s', sensorTimeout: '30s' }, s3PrefixSensor({ bucket: BUCKET, prefix: 'dag/dt={{ ds }}/' }));
    for (const connection of [s3.connectionJson(), s3.connectionUri()]) {
      const result = await testDag(d, { logicalDate: new Date('2026-02-03T00:00:00Z'), env: { SLUICE_CONN_AWS_DEFAULT: connection } });
      expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
      expect(result.tasks.find((t) => t.taskId === 'stage')?.output).toMatchObject({ key: 'dag/dt=2026-02-03/part.jsonl', records: 2 });
      expect(result.tasks.find((t) => t.taskId === 'wait')?.output).toEqual({ count: 1 });
    }
    expect(await readAll('dag/dt=2026-02-03/part.jsonl')).toEqual([{ id: 'a' }, { id: 'b' }]);
  });
});

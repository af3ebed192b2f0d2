/**
 * What the two Reddit pipeline tests share: the local environment on a fresh warehouse database, a real
 * Scheduler over an in-memory store driven by a manual clock, connections resolved like the daemon resolves
 * them (environment, then the Secrets Manager backend), and readers for what arrived in S3 and DynamoDB.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  EnvironmentSecretsBackend,
  ManualClock,
  Scheduler,
  SecretRedactor,
  SecretsResolver,
  StaticDagRegistry,
  createConfiguredSecretsBackends,
  listRuns,
  migrate,
  openDatabase,
  parseSecretsBackendsConfig,
  type Dag,
  type DagRunRecord,
  type Database,
} from '@sluice/core';
import pg from 'pg';
import { startLocalEnvironment, type LocalEnvironment } from '../env/local-environment.js';

const EXAMPLES_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A running test setup for some DAGs. */
export interface PipelineHarness {
  env: LocalEnvironment;
  store: Database;
  clock: ManualClock;
  scheduler: Scheduler;
  /** A pool on the warehouse database, for assertions. */
  warehouse: pg.Pool;
  /** Scheduler iterations (each waiting for the attempts it launched) until `until` holds. */
  drive(until: () => Promise<boolean>, maxIterations?: number): Promise<void>;
  /** Drives until the DAG has `count` finished runs; returns its runs, oldest first. */
  driveRuns(dagId: string, count: number): Promise<DagRunRecord[]>;
  close(): Promise<void>;
}

/** Creates an empty database on the test server (the global setup exports its admin URL). */
async function createWarehouseDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.SLUICE_TEST_ADMIN_URL;
  if (!admin) throw new Error('no test Postgres: run through vitest (its global setup sets SLUICE_TEST_ADMIN_URL)');
  const name = `sluice_ex_${process.pid}_${randomBytes(4).toString('hex')}`;
  const adminQuery = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE template0`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Starts the environment, a store and a scheduler for `dags`, with the clock at `now`. */
export async function startHarness(dags: Dag<unknown>[], now: Date): Promise<PipelineHarness> {
  const database = await createWarehouseDatabase();
  const env = await startLocalEnvironment({ warehouseUrl: database.url });
  const store = await openDatabase({ memory: true });
  await migrate(store);
  const configured = await createConfiguredSecretsBackends(parseSecretsBackendsConfig(env.env.SLUICE_SECRETS_BACKENDS), EXAMPLES_DIR);
  const secrets = new SecretsResolver([new EnvironmentSecretsBackend(env.env), ...configured], { ttlMs: 0 });
  const clock = new ManualClock(now);
  const scheduler = new Scheduler({
    knex: store.knex,
    registry: new StaticDagRegistry(dags),
    getConnection: (id) => secrets.getConnection(id),
    getVariable: (key) => secrets.getVariable(key),
    clock,
    concurrency: 4,
    heartbeatIntervalMs: 1000,
    redactor: new SecretRedactor(),
  });
  const warehouse = new pg.Pool({ connectionString: database.url, max: 2 });

  const drive = async (until: () => Promise<boolean>, maxIterations = 200): Promise<void> => {
    for (let i = 0; i < maxIterations; i++) {
      await scheduler.runOnce();
      await scheduler.executor?.idle();
      if (await until()) return;
    }
    throw new Error(`condition not reached after ${maxIterations} scheduler iterations`);
  };
  const finishedRuns = async (dagId: string): Promise<DagRunRecord[]> =>
    (await listRuns(store.knex, { dagId }))
      .filter((r) => r.state === 'success' || r.state === 'failed')
      .sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime());

  return {
    env,
    store,
    clock,
    scheduler,
    warehouse,
    drive,
    async driveRuns(dagId, count) {
      await drive(async () => (await finishedRuns(dagId)).length >= count);
      return finishedRuns(dagId);
    },
    async close() {
      await scheduler.stop(1000);
      await warehouse.end();
      await store.close();
      await env.stop();
      await database.drop();
    },
  };
}

/** Keys under `prefix` in the lake bucket, sorted. */
export async function listKeys(env: LocalEnvironment, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await env.s3.client.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** The records of a (gzipped) JSON Lines object in the lake bucket. */
export async function readJsonLines(env: LocalEnvironment, key: string): Promise<Record<string, unknown>[]> {
  const object = await env.s3.client.send(new GetObjectCommand({ Bucket: env.s3.bucket, Key: key }));
  const bytes = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  const text = (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every item of a DynamoDB table of the environment. */
export async function scanTable(env: LocalEnvironment, table: string): Promise<Record<string, unknown>[]> {
  const connection = JSON.parse(env.env.SLUICE_CONN_DYNAMODB_DEFAULT ?? '{}') as { login?: string; password?: string };
  const client = new DynamoDBClient({
    endpoint: env.dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: connection.login ?? 'local', secretAccessKey: connection.password ?? 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  try {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}

/** The start of hour `hour` (UTC) of yesterday (UTC): an hour whose posts the Reddit stand-in already shows. */
export function utcHourOfYesterday(hour: number, now = Date.now()): Date {
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  return new Date(today - 86_400_000 + hour * 3_600_000);
}

/**
 * The examples' local environment: every stand-in answers through the connections and variables the
 * environment hands to Sluice (resolved like the daemon resolves them: environment, then the Secrets Manager
 * backend), the stand-ins keep their data across a restart, a taken port fails clearly, and `stop()` leaves
 * nothing listening.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { EnvironmentSecretsBackend, SecretsResolver, createConfiguredSecretsBackends, parseSecretsBackendsConfig, type SecretsBackend } from '@sluice/core';
import { awsClientConfig, resolveAwsConnection, s3ClientConfig } from '@sluice/plugin-aws';
import { RedditHook, extractMediaUrls } from '@sluice/plugin-reddit';
import { poolConfig, resolveWarehouseConnection } from '@sluice/plugin-redshift';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironmentError } from '../env/errors.js';
import { startLocalEnvironment, type LocalEnvironment } from '../env/local-environment.js';
import { DEFAULT_PORTS, portsFromEnvironment } from '../env/ports.js';
import { generateSubredditPosts } from '../env/reddit-data.js';

const EXAMPLES_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A fresh database on the test server (the global setup exports its admin URL). */
async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.SLUICE_TEST_ADMIN_URL;
  if (!admin) throw new Error('no test Postgres: run through vitest (its global setup sets SLUICE_TEST_ADMIN_URL)');
  const name = `sluice_ex_env_${process.pid}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}" TEMPLATE template0`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** The daemon's secrets chain for an environment: its variables, then the configured backends. */
async function resolverFor(env: LocalEnvironment): Promise<{ resolver: SecretsResolver; backends: SecretsBackend[] }> {
  const backends = await createConfiguredSecretsBackends(parseSecretsBackendsConfig(env.env.SLUICE_SECRETS_BACKENDS), EXAMPLES_DIR);
  return { resolver: new SecretsResolver([new EnvironmentSecretsBackend(env.env), ...backends], { ttlMs: 0 }), backends };
}

async function s3ClientFor(resolver: SecretsResolver): Promise<S3Client> {
  return new S3Client(s3ClientConfig(await resolveAwsConnection(await resolver.getConnection('aws_default'))));
}

async function dynamoClientFor(resolver: SecretsResolver): Promise<DynamoDBDocumentClient> {
  return DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig(await resolveAwsConnection(await resolver.getConnection('dynamodb_default')))));
}

/** True when something accepts TCP connections at the URL's port. */
async function listening(url: string): Promise<boolean> {
  const port = Number(new URL(url).port);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('local environment on a fresh warehouse database', () => {
  let database: { url: string; drop(): Promise<void> };
  let env: LocalEnvironment;
  let resolver: SecretsResolver;
  let backends: SecretsBackend[];

  beforeAll(async () => {
    database = await createDatabase();
    env = await startLocalEnvironment({ warehouseUrl: database.url, redditPosts: 48 });
    ({ resolver, backends } = await resolverFor(env));
  });

  afterAll(async () => {
    for (const backend of backends ?? []) (backend as { destroy?: () => void }).destroy?.();
    const endpoints = env ? [env.s3.endpoint, env.dynamodb.endpoint, env.secretsManager.endpoint, env.reddit.url, env.alerts.url, env.media.url, env.glue.endpoint] : [];
    await env?.stop();
    await database?.drop();
    // stop() leaves nothing listening.
    for (const endpoint of endpoints) expect(await listening(endpoint), endpoint).toBe(false);
  });

  it('lists and writes the lake bucket through aws_default and the lake_bucket variable', async () => {
    const bucket = await resolver.getVariable('lake_bucket');
    expect(bucket).toBe('sluice-lake');
    const client = await s3ClientFor(resolver);
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe/hello.txt', Body: 'hello' }));
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'probe/' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['probe/hello.txt']);
    } finally {
      client.destroy();
    }
  });

  it('reads a Reddit listing through reddit_default from the Secrets Manager stand-in, with images served locally', async () => {
    const connection = await resolver.getConnection('reddit_default');
    expect(connection.type).toBe('reddit');
    expect(env.env.SLUICE_CONN_REDDIT_DEFAULT).toBeUndefined();
    const hook = new RedditHook('reddit_default', { getConnection: (id) => resolver.getConnection(id) });
    const listing = await hook.getJson<{ data: { children: { data: Record<string, unknown> }[] } }>('/r/python/new', { limit: 100 });
    const posts = listing.data.children.map((c) => c.data);
    expect(posts.length).toBeGreaterThan(10);
    const now = Date.now() / 1000;
    for (const post of posts) expect(post.created_utc as number).toBeLessThanOrEqual(now);
    expect(new Set(posts.map((p) => p.id)).size).toBe(posts.length);
    const media = posts.flatMap((p) => extractMediaUrls(p));
    expect(media.length).toBeGreaterThan(0);
    for (const { url } of media) expect(url.startsWith(`${env.media.url}/`), url).toBe(true);
    const image = await fetch(media[0]!.url);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');
    await expect(hook.getJson('/r/not_served_here/new')).rejects.toThrow();
  });

  it('puts and gets an item of the reddit_posts table through dynamodb_default', async () => {
    const table = await resolver.getVariable('reddit_posts_table');
    const client = await dynamoClientFor(resolver);
    try {
      await client.send(new PutCommand({ TableName: table, Item: { id: 'probe', title: 'hello' } }));
      const got = await client.send(new GetCommand({ TableName: table, Key: { id: 'probe' } }));
      expect(got.Item).toEqual({ id: 'probe', title: 'hello' });
    } finally {
      client.destroy();
    }
  });

  it('queries the warehouse through redshift_default (a postgres connection in Secrets Manager)', async () => {
    const settings = await resolveWarehouseConnection((id) => resolver.getConnection(id), 'redshift_default');
    expect(settings.dialect).toBe('postgres');
    const pool = new pg.Pool(poolConfig(settings));
    try {
      const { rows } = await pool.query<{ db: string }>('select current_database() as db');
      expect(rows[0]?.db).toBe(new URL(database.url).pathname.slice(1));
    } finally {
      await pool.end();
    }
  });

  it('records alerts posted to the alerts_webhook_url variable and the PagerDuty connection', async () => {
    const url = await resolver.getVariable('alerts_webhook_url');
    const response = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'movies_monthly failed' }) });
    expect(response.status).toBe(202);
    const pagerDuty = await resolver.getConnection('pagerduty_default');
    await fetch(`${pagerDuty.host}/v2/enqueue`, { method: 'POST', body: JSON.stringify({ event_action: 'trigger', dedup_key: 'k1' }) });
    expect(env.alerts.received()).toEqual([{ text: 'movies_monthly failed' }, { event_action: 'trigger', dedup_key: 'k1' }]);
    expect(env.alerts.requests().map((r) => r.path)).toEqual(['/hooks/alerts', '/v2/enqueue']);
    const webhook = await resolver.getConnection('alerts_webhook');
    expect(webhook.extra).toMatchObject({ url });
  });
});

describe('local environment with a state folder', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'sluice-ex-env-test-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('keeps S3 objects, DynamoDB items and warehouse rows (embedded Postgres) across a restart', { timeout: 180_000 }, async () => {
    const first = await startLocalEnvironment({ stateDir, redditPosts: 4 });
    try {
      const { resolver, backends } = await resolverFor(first);
      const s3 = await s3ClientFor(resolver);
      const dynamo = await dynamoClientFor(resolver);
      const pool = new pg.Pool({ connectionString: first.warehouse.url });
      try {
        await s3.send(new PutObjectCommand({ Bucket: 'sluice-lake', Key: 'kept/object.txt', Body: 'kept' }));
        await dynamo.send(new PutCommand({ TableName: 'reddit_posts', Item: { id: 'kept' } }));
        await pool.query('create table kept (n int); insert into kept values (42)');
      } finally {
        s3.destroy();
        dynamo.destroy();
        await pool.end();
        for (const backend of backends) (backend as { destroy?: () => void }).destroy?.();
      }
    } finally {
      await first.stop();
    }
    expect(await listening(first.warehouse.url)).toBe(false);

    const second = await startLocalEnvironment({ stateDir, redditPosts: 4 });
    try {
      const { resolver, backends } = await resolverFor(second);
      const s3 = await s3ClientFor(resolver);
      const dynamo = await dynamoClientFor(resolver);
      const pool = new pg.Pool(poolConfig(await resolveWarehouseConnection((id) => resolver.getConnection(id), 'redshift_default')));
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: 'sluice-lake', Key: 'kept/object.txt' }));
        expect(await object.Body?.transformToString()).toBe('kept');
        expect((await dynamo.send(new GetCommand({ TableName: 'reddit_posts', Key: { id: 'kept' } }))).Item).toEqual({ id: 'kept' });
        expect((await pool.query('select n from kept')).rows).toEqual([{ n: 42 }]);
      } finally {
        s3.destroy();
        dynamo.destroy();
        await pool.end();
        for (const backend of backends) (backend as { destroy?: () => void }).destroy?.();
      }
    } finally {
      await second.stop();
    }
    expect(await listening(second.warehouse.url)).toBe(false);
    expect(await listening(second.s3.endpoint)).toBe(false);
  });

  it('fails with a clear message, and starts nothing, when a fixed port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = startLocalEnvironment({ stateDir, ports: { alerts: port }, warehouseUrl: 'postgres://u:p@127.0.0.1:1/none' });
      await expect(started).rejects.toThrow(LocalEnvironmentError);
      await expect(started).rejects.toThrow(new RegExp(`port ${port} .*SLUICE_EXAMPLES_ALERTS_PORT`));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('generated Reddit data and port settings', () => {
  const options = { subreddits: ['python', 'aww'], postsPerDay: 24, seed: 1, daysBack: 1, daysAhead: 1, mediaUrl: 'http://127.0.0.1:9' };

  it('gives the same posts for a day whatever the start time, with ids unique across subreddits', () => {
    const morning = generateSubredditPosts({ ...options, now: Date.parse('2026-11-22T06:00:00Z') });
    const evening = generateSubredditPosts({ ...options, now: Date.parse('2026-11-22T21:00:00Z') });
    expect(evening).toEqual(morning);
    const all = [...morning.values()].flat();
    expect(all).toHaveLength(2 * 3 * 24);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const other = generateSubredditPosts({ ...options, seed: 2, now: Date.parse('2026-11-22T06:00:00Z') });
    expect(other.get('python')?.map((p) => p.title)).not.toEqual(morning.get('python')?.map((p) => p.title));
    const media = all.flatMap((p) => extractMediaUrls(p));
    expect(media.length).toBeGreaterThan(0);
    for (const { url } of media) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:9\/(i\.redd\.it|i\.imgur\.com|preview\.redd\.it)\/[\w.-]+\.png/);
  });

  it('reads port overrides from the environment and refuses values that are no port', () => {
    expect(portsFromEnvironment({})).toEqual(DEFAULT_PORTS);
    expect(portsFromEnvironment({ SLUICE_EXAMPLES_S3_PORT: '9568', SLUICE_EXAMPLES_WAREHOUSE_PORT: '0' })).toMatchObject({ s3: 9568, warehouse: 0, reddit: 4571 });
    expect(() => portsFromEnvironment({ SLUICE_EXAMPLES_REDDIT_PORT: 'http' })).toThrow(/SLUICE_EXAMPLES_REDDIT_PORT must be a port number/);
  });
});

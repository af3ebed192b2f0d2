/**
 * The examples' local environment: offline stand-ins for everything the five pipelines talk to, and the
 * environment variables that point Sluice's connections at them. The DAG files only name connection ids
 * (`aws_default`, `dynamodb_default`, `reddit_default`, `redshift_default`) and variables; with real
 * connections configured instead of these variables, the same files run against Reddit, AWS and Redshift.
 *
 * Started here: s3rver (S3, bucket `sluice-lake`), dynalite (DynamoDB, table `reddit_posts`), the Secrets
 * Manager and Glue stand-ins, the Reddit API stand-in with generated posts, an image host for those posts,
 * an alerts receiver (webhook / PagerDuty Events v2), and the warehouse (embedded Postgres, or a given
 * database). The Reddit and warehouse connections are stored as secrets in the Secrets Manager stand-in and
 * reach Sluice through the `aws-secrets-manager` backend, as they would in production.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startGlueServer, startS3Server, startSecretsManagerServer } from '@sluice/plugin-aws/testing';
import { FakeRedditServer } from '@sluice/plugin-reddit/testing';
import { startAlertsReceiver, type ReceivedAlert } from './alerts-receiver.js';
import { startDynamoDb } from './dynamodb.js';
import { startMediaServer } from './media-server.js';
import { assertPortFree, EPHEMERAL_PORTS, forwardPort, type Ports, type StandIn } from './ports.js';
import { DEFAULT_SUBREDDITS, generateSubredditPosts } from './reddit-data.js';
import { borrowWarehouse, startEmbeddedWarehouse } from './warehouse.js';

/** The data lake bucket (variable `lake_bucket`). */
export const LAKE_BUCKET = 'sluice-lake';
/** The DynamoDB table the reddit-to-warehouse pipeline loads (hash key `id`). */
export const REDDIT_POSTS_TABLE = 'reddit_posts';
/** Prefix of connection secrets in Secrets Manager (the backend's default). */
export const CONNECTIONS_PREFIX = 'sluice/connections';
/** Credentials of the Reddit stand-in's script app (not secrets: they only open the local stand-in). */
const REDDIT_APP = { clientId: 'sluice-examples', clientSecret: 'local-client-secret', username: 'sluice_examples', password: 'local-password' };
/** The user agent the Reddit connection sends (Reddit requires this form). */
const REDDIT_USER_AGENT = 'local:dev.sluice.examples:v1.0.0 (by /u/sluice_examples)';

/** Options of {@link startLocalEnvironment}. */
export interface LocalEnvironmentOptions {
  /** Where the stand-ins keep their data (S3 objects, DynamoDB, warehouse, alerts); kept by `stop()`. Default: a temporary folder removed by `stop()`. */
  stateDir?: string;
  /** An existing Postgres database to use as the warehouse instead of starting an embedded server (tests). */
  warehouseUrl?: string;
  /** Generated posts per subreddit and UTC day. Default 144 (six an hour). */
  redditPosts?: number;
  /** Seed of the generated posts. Default 1. */
  seed?: number;
  /** Subreddits the Reddit stand-in serves. Default {@link DEFAULT_SUBREDDITS}. */
  subreddits?: readonly string[];
  /** Days of posts before today (the rest of today and seven days ahead are generated too). Default 3. */
  redditDaysBack?: number;
  /** Ports (0: any free port). Default: any free port for every stand-in; `pnpm start` passes fixed ones. */
  ports?: Partial<Ports>;
  /** Progress lines (e.g. `console.error`); default silent. */
  log?: (line: string) => void;
}

/** The running environment. */
export interface LocalEnvironment {
  /** Environment variables a Sluice process needs (connections, secrets backend, variables). */
  env: Record<string, string>;
  /** Where the stand-ins keep their data. */
  stateDir: string;
  s3: { endpoint: string; bucket: string; client: S3Client };
  reddit: { url: string; subreddits: readonly string[] };
  secretsManager: { endpoint: string };
  dynamodb: { endpoint: string; table: string };
  glue: { endpoint: string };
  warehouse: { url: string };
  /** The alerts receiver: `received()` gives the JSON bodies posted so far, `requests()` them with path and time. */
  alerts: { url: string; received(): unknown[]; requests(): ReceivedAlert[] };
  /** The image host the generated posts' image URLs point at. */
  media: { url: string };
  /** Stops every stand-in (keeps `stateDir` when it was given). */
  stop(): Promise<void>;
}

/** Starts every stand-in, creates the bucket, table and secrets, and returns the environment variables. */
export async function startLocalEnvironment(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const log = options.log ?? (() => undefined);
  const ports: Ports = { ...EPHEMERAL_PORTS, ...options.ports };
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'sluice-examples-')));
  const stops: (() => Promise<void>)[] = [];
  if (ownStateDir) stops.push(() => rm(stateDir, { recursive: true, force: true }));
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'some stand-ins did not stop cleanly');
  };
  try {
    await mkdir(stateDir, { recursive: true });
    // Fail before starting anything when a fixed port is taken.
    for (const standIn of Object.keys(ports) as StandIn[]) {
      if (standIn !== 'warehouse' || options.warehouseUrl === undefined) await assertPortFree(standIn, ports[standIn]);
    }

    const media = await startMediaServer({ port: ports.media });
    stops.push(() => media.stop());
    const alerts = await startAlertsReceiver({ port: ports.alerts, file: join(stateDir, 'alerts.jsonl') });
    stops.push(() => alerts.stop());

    const s3 = await startS3Server({ port: ports.s3, directory: join(stateDir, 's3'), buckets: [LAKE_BUCKET] });
    stops.push(() => s3.stop());
    const s3Client = s3.createClient();
    stops.push(async () => s3Client.destroy());
    log(`S3 (s3rver)            ${s3.endpoint}  bucket ${LAKE_BUCKET}, data in ${s3.directory}`);

    const dynamodb = await startDynamoDb({ port: ports.dynamodb, directory: join(stateDir, 'dynamodb'), tables: [REDDIT_POSTS_TABLE] });
    stops.push(() => dynamodb.stop());
    log(`DynamoDB (dynalite)    ${dynamodb.endpoint}  table ${REDDIT_POSTS_TABLE}`);

    const glue = await startGlueServer();
    stops.push(() => glue.stop());
    const glueEndpoint = await exposeOn('glue', ports.glue, glue.endpoint, stops);

    const secrets = await startSecretsManagerServer();
    stops.push(() => secrets.stop());
    const secretsEndpoint = await exposeOn('secretsManager', ports.secretsManager, secrets.endpoint, stops);
    log(`Secrets Manager        ${secretsEndpoint}`);

    const subreddits = options.subreddits ?? DEFAULT_SUBREDDITS;
    const reddit = await FakeRedditServer.start(REDDIT_APP);
    stops.push(() => reddit.close());
    const posts = generateSubredditPosts({
      subreddits,
      postsPerDay: options.redditPosts ?? 144,
      seed: options.seed ?? 1,
      now: Date.now(),
      daysBack: options.redditDaysBack ?? 3,
      daysAhead: 7,
      mediaUrl: media.url,
    });
    for (const [subreddit, list] of posts) reddit.addPosts(subreddit, list);
    const redditUrl = await exposeOn('reddit', ports.reddit, reddit.url, stops);
    log(`Reddit API             ${redditUrl}  r/${subreddits.join(', r/')}; images from ${media.url}`);

    const warehouse =
      options.warehouseUrl === undefined
        ? await startEmbeddedWarehouse({ directory: join(stateDir, 'warehouse'), port: ports.warehouse, log })
        : borrowWarehouse(options.warehouseUrl);
    stops.push(() => warehouse.stop());
    log(`warehouse (Postgres)   ${redactUrl(warehouse.url)}`);
    log(`alerts receiver        ${alerts.url}  (GET / lists the alerts received)`);

    secrets.setSecret(
      `${CONNECTIONS_PREFIX}/reddit_default`,
      JSON.stringify({
        conn_type: 'reddit',
        login: REDDIT_APP.clientId,
        password: REDDIT_APP.clientSecret,
        extra: { user_agent: REDDIT_USER_AGENT, username: REDDIT_APP.username, password: REDDIT_APP.password, auth_base_url: redditUrl, api_base_url: redditUrl },
      }),
    );
    secrets.setSecret(`${CONNECTIONS_PREFIX}/redshift_default`, warehouse.connectionJson());

    const secretsBackends = [
      {
        plugin: '@sluice/plugin-aws',
        backend: 'aws-secrets-manager',
        options: { endpoint: secretsEndpoint, region: 'us-east-1', accessKeyId: 'local', secretAccessKey: 'local', variablesPrefix: null, ttlMs: 60_000 },
      },
    ];
    const env: Record<string, string> = {
      SLUICE_CONN_AWS_DEFAULT: s3.connectionJson(),
      SLUICE_CONN_DYNAMODB_DEFAULT: dynamodb.connectionJson(),
      SLUICE_CONN_GLUE_DEFAULT: glueConnectionJson(glueEndpoint),
      SLUICE_CONN_ALERTS_WEBHOOK: JSON.stringify({ conn_type: 'http', extra: { url: `${alerts.url}/hooks/alerts` } }),
      SLUICE_CONN_PAGERDUTY_DEFAULT: JSON.stringify({ conn_type: 'pagerduty', host: alerts.url, password: 'local-routing-key' }),
      SLUICE_SECRETS_BACKENDS: JSON.stringify(secretsBackends),
      SLUICE_VAR_LAKE_BUCKET: LAKE_BUCKET,
      SLUICE_VAR_ALERTS_WEBHOOK_URL: `${alerts.url}/hooks/alerts`,
      SLUICE_VAR_REDSHIFT_IAM_ROLE: 'arn:aws:iam::000000000000:role/sluice-redshift-copy',
      SLUICE_VAR_REDDIT_SUBREDDITS: subreddits.join(','),
      SLUICE_VAR_REDDIT_POSTS_TABLE: REDDIT_POSTS_TABLE,
    };
    return {
      env,
      stateDir,
      s3: { endpoint: s3.endpoint, bucket: LAKE_BUCKET, client: s3Client },
      reddit: { url: redditUrl, subreddits },
      secretsManager: { endpoint: secretsEndpoint },
      dynamodb: { endpoint: dynamodb.endpoint, table: REDDIT_POSTS_TABLE },
      glue: { endpoint: glueEndpoint },
      warehouse: { url: warehouse.url },
      alerts: { url: alerts.url, received: () => alerts.received(), requests: () => alerts.requests() },
      media: { url: media.url },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** The endpoint to announce for a stand-in on an ephemeral port: itself, or a forwarder on the fixed `port`. */
async function exposeOn(standIn: StandIn, port: number, endpoint: string, stops: (() => Promise<void>)[]): Promise<string> {
  if (port === 0) return endpoint;
  const forwarder = await forwardPort(standIn, port, Number(new URL(endpoint).port));
  stops.push(() => forwarder.stop());
  return `http://127.0.0.1:${forwarder.port}`;
}

function glueConnectionJson(endpoint: string): string {
  return JSON.stringify({ conn_type: 'aws', login: 'local', password: 'local', extra: { endpoint_url: endpoint, region_name: 'us-east-1' } });
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

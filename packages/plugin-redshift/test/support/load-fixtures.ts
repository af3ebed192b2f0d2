/**
 * Shared setup of the S3-to-warehouse load tests: an s3rver with a `lake` bucket, an S3 hook to stage
 * objects with, the per-file warehouse database (test/support/warehouse-db.ts), and helpers to read a
 * table back whole.
 */
import { gzipSync } from 'node:zlib';
import { S3Hook } from '@sluice/plugin-aws';
import { startS3Server, type LocalS3Server } from '@sluice/plugin-aws/testing';
import { afterAll, beforeAll } from 'vitest';
import type { WarehouseHook } from '../../src/index.js';
import { contextFor, useWarehouseDb, type ContextOptions, type RecordingContext, type WarehouseDb } from './warehouse-db.js';

/** The bucket every load test stages its objects in. */
export const BUCKET = 'lake';

/** What a load test file works with. */
export interface LoadEnv {
  s3: LocalS3Server;
  /** Stages objects (closed in `afterAll`). */
  s3Hook: S3Hook;
  db: WarehouseDb;
  /** The warehouse hook of the test database. */
  wh: WarehouseHook;
  /** A task context with the S3 and warehouse connections. */
  context(options?: ContextOptions): RecordingContext;
}

/** Starts s3rver and the warehouse database for this file; the getter works inside hooks and tests. */
export function useLoadEnv(): () => LoadEnv {
  const getDb = useWarehouseDb();
  let s3: LocalS3Server | undefined;
  let s3Hook: S3Hook | undefined;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    const server = s3;
    s3Hook = new S3Hook('aws_default', { getConnection: async () => server.connection() });
  });
  afterAll(async () => {
    await s3Hook?.destroy();
    await s3?.stop();
  });
  return () => {
    if (!s3 || !s3Hook) throw new Error('the load environment exists only inside hooks and tests');
    const db = getDb();
    const server = s3;
    return {
      s3: server,
      s3Hook,
      db,
      wh: db.hook,
      context: (options) => contextFor([server.connection(), db.connection], options),
    };
  };
}

/** JSON Lines text of `records`. */
export function jsonl(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** Puts `text` at `key`, gzip-compressed when the key ends with `.gz`. */
export async function putObject(hook: S3Hook, key: string, text: string): Promise<void> {
  await hook.put(BUCKET, key, key.endsWith('.gz') ? gzipSync(Buffer.from(text)) : text);
}

/** Every row of `table`, ordered by `orderBy` (a trusted column list), values as JSON-friendly text. */
export async function tableRows(wh: WarehouseHook, table: string, orderBy: string): Promise<Record<string, unknown>[]> {
  const result = await wh.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${orderBy}`);
  return result.rows.map((row) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>);
}

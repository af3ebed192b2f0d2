/**
 * End to end: scrape_microbatch against the local environment (s3rver, the Secrets Manager stand-in holding
 * the warehouse connection, a fresh warehouse database on the test Postgres). The batches are recomputed
 * here from the bundled CSV with the documented seed (sha256 of `<dag id>|<logical date>`, mulberry32,
 * n = 1 + ⌊1000·r⌋, partial Fisher–Yates) and an independent CSV parser, and compared with the warehouse.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createConfiguredSecretsBackends, parseSecretsBackendsConfig, type SecretsBackend } from '@sluice/core';
import { testDag, type TestDagResult } from '@sluice/core/testing';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV } from '../../test-support/env.js';
import { createDatabase, databaseUrl, dropDatabase } from '../../test-support/postgres-admin.js';
import scrapeMicrobatch from '../dags/scrape_microbatch.js';
import { startLocalEnvironment, type LocalEnvironment } from '../env/local-environment.js';

const CSV_PATH = fileURLToPath(new URL('../data/scraped-messages.csv', import.meta.url));
const EXAMPLES_DIR = fileURLToPath(new URL('..', import.meta.url));
const WIDTH = 1000;

interface ExpectedRow {
  message_id: string;
  channel: string | null;
  author_id: string | null;
  posted_at: string | null;
  posted_at_raw: string | null;
  message: string;
  message_length: number;
  reactions: number | null;
  batch_id: string;
}

const source = parse(readFileSync(CSV_PATH), { columns: true, skip_empty_lines: false }) as Record<string, string>[];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tsNodash = (date: Date): string => date.toISOString().slice(0, 19).replace(/[-:]/g, '');

/** The expected timestamp, read with JavaScript's own parser per documented spelling. */
function expectedTimestamp(raw: string): string | null {
  if (/^\d{9,11}$/.test(raw)) return new Date(Number(raw) * 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(raw)) raw = `${raw.replace(' ', 'T')}Z`;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(raw)) return null;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The batch a run at `logicalDate` writes, computed from the CSV. */
function expectedBatch(logicalDate: Date): { rows: ExpectedRow[]; long: number } {
  const seed = createHash('sha256').update(`scrape_microbatch|${logicalDate.toISOString()}`).digest().readUInt32BE(0);
  const random = mulberry32(seed);
  const n = Math.min(source.length, 1 + Math.floor(random() * 1000));
  const order = source.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (source.length - i));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const rows: ExpectedRow[] = [];
  for (const index of order.slice(0, n)) {
    const r = source[index] as Record<string, string>;
    if (!/^\d+$/.test(r.message_id ?? '')) continue;
    const message = r.message ?? '';
    const chars = [...message];
    const reactions = /^\d+(\.0+)?$/.test(r.reactions ?? '') ? Math.round(Number(r.reactions)) : null;
    rows.push({
      message_id: r.message_id as string,
      channel: r.channel || null,
      author_id: /^\d+$/.test(r.author_id ?? '') ? (r.author_id as string) : null,
      posted_at: expectedTimestamp(r.posted_at ?? ''),
      posted_at_raw: r.posted_at || null,
      message: chars.slice(0, WIDTH).join(''),
      message_length: chars.length,
      reactions,
      batch_id: tsNodash(logicalDate),
    });
  }
  return { rows, long: rows.filter((row) => row.message_length > WIDTH).length };
}

/** The table after merging `batches` in order on message_id (the last batch holding a message wins). */
function expectedTable(dates: readonly Date[]): ExpectedRow[] {
  const byId = new Map<string, ExpectedRow>();
  for (const date of dates) for (const row of expectedBatch(date).rows) byId.set(row.message_id, row);
  return [...byId.values()].sort((a, b) => Number(BigInt(a.message_id) - BigInt(b.message_id)));
}

const minute = (m: number): Date => new Date(Date.UTC(2026, 2, 1, 12, m, 0));

describe('scrape_microbatch', () => {
  const adminUrl = process.env[TEST_ENV.adminUrl] ?? '';
  const dbName = `sluice_ex_scrape_${process.pid}_${randomBytes(4).toString('hex')}`;
  let env: LocalEnvironment;
  let backends: SecretsBackend[];
  let warehouse: pg.Client;

  beforeAll(async () => {
    await createDatabase(adminUrl, dbName, 'template0');
    env = await startLocalEnvironment({ warehouseUrl: databaseUrl(adminUrl, dbName), subreddits: ['aww'], redditPosts: 10, redditDaysBack: 0 });
    backends = await createConfiguredSecretsBackends(parseSecretsBackendsConfig(env.env.SLUICE_SECRETS_BACKENDS), EXAMPLES_DIR);
    warehouse = new pg.Client({ connectionString: databaseUrl(adminUrl, dbName) });
    await warehouse.connect();
  });

  afterAll(async () => {
    await warehouse?.end();
    await env?.stop();
    await dropDatabase(adminUrl, dbName);
  });

  const run = (logicalDate: Date): Promise<TestDagResult> =>
    testDag(scrapeMicrobatch, { logicalDate, env: { ...env.env }, secretsBackends: backends, timeoutMs: 120_000 });

  async function tableRows(): Promise<ExpectedRow[]> {
    const result = await warehouse.query<Omit<ExpectedRow, 'posted_at'> & { posted_at: Date | null }>(
      `SELECT message_id::text AS message_id, channel, author_id::text AS author_id, posted_at, posted_at_raw, message, message_length, reactions, batch_id
       FROM scraped.messages ORDER BY message_id`,
    );
    return result.rows.map((row) => ({ ...row, posted_at: row.posted_at ? row.posted_at.toISOString() : null }));
  }

  async function keys(prefix: string): Promise<string[]> {
    const listed = await env.s3.client.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  const task = (result: TestDagResult, id: string): TestDagResult['tasks'][number] => {
    const found = result.tasks.find((t) => t.taskId === id);
    if (!found) throw new Error(`no task ${id}`);
    return found;
  };

  it('loads the batches of several minutes: the table is the union of the batches, typed, long text truncated, files under loaded/', async () => {
    const dates = [minute(0), minute(1)];
    for (const date of dates) {
      const result = await run(date);
      expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
      const batch = expectedBatch(date);
      expect(task(result, 'sample_batch').output).toMatchObject({ rows: batch.rows.length, longMessages: batch.long });
      expect(task(result, 'load_batch').output).toMatchObject({ rowsLoaded: batch.rows.length, truncatedValues: batch.long, mode: 'merge' });
      expect(await keys(`raw/scraped/${tsNodash(date)}/`)).toEqual([]);
      expect(await keys(`loaded/scraped/${tsNodash(date)}/`)).toContain(`loaded/scraped/${tsNodash(date)}/messages.csv`);
    }
    const expected = expectedTable(dates);
    expect(expected.length).toBeGreaterThan(300);
    expect(await tableRows()).toEqual(expected);

    // Types: integers stay integers (18-digit ids intact, NULLs kept), timestamps are timestamptz.
    const columns = await warehouse.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
      `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = 'scraped' AND table_name = 'messages'`,
    );
    const typeOf = Object.fromEntries(columns.rows.map((c) => [c.column_name, c.data_type]));
    expect(typeOf).toMatchObject({ message_id: 'bigint', author_id: 'bigint', posted_at: 'timestamp with time zone', reactions: 'integer', message: 'character varying' });
    expect(columns.rows.find((c) => c.column_name === 'message')?.character_maximum_length).toBe(WIDTH);
    const stats = await warehouse.query<{ null_authors: string; snowflakes: string; bad_ts: string; long: string; max_len: number }>(
      `SELECT count(*) FILTER (WHERE author_id IS NULL) AS null_authors, count(*) FILTER (WHERE author_id > 99999999999999999) AS snowflakes,
              count(*) FILTER (WHERE posted_at IS NULL AND posted_at_raw IS NOT NULL) AS bad_ts,
              count(*) FILTER (WHERE message_length > ${WIDTH}) AS long, max(char_length(message)) AS max_len FROM scraped.messages`,
    );
    const s = stats.rows[0];
    expect(Number(s?.null_authors)).toBe(expected.filter((r) => r.author_id === null).length);
    expect(Number(s?.null_authors)).toBeGreaterThan(0);
    expect(Number(s?.snowflakes)).toBeGreaterThan(0);
    expect(Number(s?.bad_ts)).toBeGreaterThan(0);
    expect(Number(s?.long)).toBeGreaterThan(0);
    expect(s?.max_len).toBe(WIDTH);

    // The archived file keeps the full text of the long messages.
    const archived = await env.s3.client.send(new GetObjectCommand({ Bucket: env.s3.bucket, Key: `loaded/scraped/${tsNodash(dates[1] as Date)}/messages.csv` }));
    const archivedRows = parse(await archived.Body?.transformToString() ?? '', { columns: true }) as Record<string, string>[];
    const longest = expectedBatch(dates[1] as Date).rows.reduce((a, b) => (b.message_length > a.message_length ? b : a));
    expect([...(archivedRows.find((r) => r.message_id === longest.message_id)?.message ?? '')].length).toBe(longest.message_length);
  }, 180_000);

  it('reruns are idempotent: the latest batch again leaves the table identical, an older one only re-owns its rows', async () => {
    const before = await tableRows();
    const again = await run(minute(1));
    expect(again.state).toBe('success');
    expect(await tableRows()).toEqual(before);

    const older = await run(minute(0));
    expect(older.state).toBe('success');
    const after = await tableRows();
    expect(after).toHaveLength(before.length);
    expect(after).toEqual(expectedTable([minute(1), minute(0)]));
    expect(await keys('raw/scraped/')).toEqual([]);
  }, 180_000);

  it('a batch the warehouse refuses leaves the table unchanged and the file in raw/; the rerun loads it once', async () => {
    const date = minute(3);
    const batch = expectedBatch(date);
    const loaded = new Set((await tableRows()).map((r) => r.message_id));
    const victim = batch.rows.find((r) => !loaded.has(r.message_id)) ?? batch.rows[0];
    expect(victim).toBeDefined();
    // The warehouse refuses one row of the batch (a constraint the existing rows are not checked against).
    await warehouse.query(`ALTER TABLE scraped.messages ADD CONSTRAINT refuse_one CHECK (message_id <> ${Number(victim?.message_id)}) NOT VALID`);
    const before = await tableRows();
    const failed = await run(date);
    expect(failed.state).toBe('failed');
    expect(task(failed, 'load_batch')).toMatchObject({ state: 'failed', tryNumber: 3 });
    expect(task(failed, 'archive_batch').state).toBe('upstream_failed');
    expect(await tableRows()).toEqual(before);
    expect(await keys(`raw/scraped/${tsNodash(date)}/`)).toContain(`raw/scraped/${tsNodash(date)}/messages.csv`);

    await warehouse.query('ALTER TABLE scraped.messages DROP CONSTRAINT refuse_one');
    const rerun = await run(date);
    expect(rerun.state).toBe('success');
    expect(await tableRows()).toEqual(expectedTable([minute(1), minute(0), date]));
    expect(await keys(`raw/scraped/${tsNodash(date)}/`)).toEqual([]);
  }, 180_000);

  it('a load that fails halfway is rolled back and the retry loads the batch once', async () => {
    const date = minute(4);
    // Fails at the 5th row written by the first attempt only (a sequence is not rolled back).
    await warehouse.query(`CREATE SEQUENCE scraped.fail_once_seq`);
    await warehouse.query(`CREATE FUNCTION scraped.fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF nextval('scraped.fail_once_seq') = 5 THEN RAISE EXCEPTION 'injected: the warehouse went away'; END IF; RETURN NEW; END $$`);
    await warehouse.query(`CREATE TRIGGER fail_once BEFORE INSERT OR UPDATE ON scraped.messages FOR EACH ROW EXECUTE FUNCTION scraped.fail_once()`);
    try {
      const result = await run(date);
      expect(result.state).toBe('success');
      const load = task(result, 'load_batch');
      expect(load.tryNumber).toBe(2);
      expect(load.logs.some((l) => l.tryNumber === 1)).toBe(true);
      expect(await tableRows()).toEqual(expectedTable([minute(1), minute(0), minute(3), date]));
    } finally {
      await warehouse.query('DROP TRIGGER IF EXISTS fail_once ON scraped.messages');
    }
  }, 180_000);
});

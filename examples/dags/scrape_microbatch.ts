/**
 * scrape-microbatch: every minute, a "scraper" drops a batch of chat messages in S3, the warehouse loads
 * it, and the file moves to `loaded/`. The original was EventBridge cron → Lambda → S3 → Redshift COPY;
 * its pains were ids turned into floats by a CSV round trip, timestamps loaded as text, messages longer
 * than the column failing whole loads, and half-loaded batches after a failure.
 *
 * Here the scraper is emulated: each run samples 1–1000 rows of the bundled `data/scraped-messages.csv`,
 * seeded from the run's logical date, so a retry or rerun of a run writes exactly the same batch.
 *
 *   sample_batch ─→ load_batch ─→ archive_batch
 *   create_table ─┘
 *
 * - `sample_batch` normalises the rows (integers stay integers, four timestamp spellings become UTC ISO
 *   8601, unparseable timestamps become NULL with the raw text kept in `posted_at_raw`) and writes them as
 *   CSV to `raw/scraped/<ts_nodash>/messages.csv`.
 * - `load_batch` merges the batch into `scraped.messages` on `message_id`, in one transaction: a failed
 *   load leaves the table unchanged, and the retry (or a rerun) loads it once.
 * - Long text policy: `message` is VARCHAR(1000); longer messages are cut to 1,000 characters at load
 *   (`longText: 'truncate'`), `message_length` keeps the original length, and the full text stays in the
 *   archived file under `loaded/` until the bucket's lifecycle rule expires it.
 * - `archive_batch` moves the batch folder to `loaded/scraped/<ts_nodash>/`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { chain, dag } from '@sluice/core';
import { S3Hook, s3MovePrefix } from '@sluice/plugin-aws';
import { s3ToRedshift, sqlOperator } from '@sluice/plugin-redshift';

const SOURCE_CSV = new URL('../data/scraped-messages.csv', import.meta.url);
const TABLE = 'scraped.messages';
/** Width of `scraped.messages.message`; longer messages are truncated at load (see above). */
const MESSAGE_WIDTH = 1000;
/** Columns of a batch file, in order (the load maps CSV fields by position). */
const BATCH_COLUMNS = ['batch_id', 'message_id', 'channel', 'author_id', 'posted_at', 'posted_at_raw', 'message', 'message_length', 'reactions'] as const;

/** One normalised message, as written to the batch file (`null` = an unquoted empty field = SQL NULL). */
type BatchRow = Record<(typeof BATCH_COLUMNS)[number], string | null>;

/** What a batch contained, and what normalisation did to it. */
export interface BatchSummary {
  bucket: string;
  key: string;
  batchId: string;
  seed: number;
  sampled: number;
  rows: number;
  droppedWithoutMessageId: number;
  nullAuthorIds: number;
  unparseableTimestamps: number;
  nullReactions: number;
  longMessages: number;
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. Returns the records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/** One CSV field: NULL as an unquoted empty field, everything else quoted when it needs to be. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return value === '' || /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The seed of a run's sample: the first 32 bits of sha256(`<dag id>|<logical date ISO>`). */
function batchSeed(dagId: string, logicalDate: Date): number {
  return createHash('sha256').update(`${dagId}|${logicalDate.toISOString()}`).digest().readUInt32BE(0);
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
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

/** Indexes of the sample: n = 1 + ⌊1000·r⌋ (at most all rows), then a partial Fisher–Yates shuffle. */
function sampleIndexes(total: number, seed: number): number[] {
  const random = mulberry32(seed);
  const n = Math.min(total, 1 + Math.floor(random() * 1000));
  const indexes = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (total - i));
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes.slice(0, n);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A scraped timestamp as UTC ISO 8601, or null when it cannot be read: ISO 8601 with `Z` or an offset,
 * `YYYY-MM-DD HH:MM:SS` (UTC), or epoch seconds. Impossible dates (Feb 30, hour 25) are refused, not rolled over.
 */
function normaliseTimestamp(raw: string): string | null {
  const text = raw.trim();
  if (/^\d{9,11}$/.test(text)) return new Date(Number(text) * 1000).toISOString();
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (wall.getUTCFullYear() !== y || wall.getUTCMonth() !== mo - 1 || wall.getUTCDate() !== d || wall.getUTCHours() !== h || wall.getUTCMinutes() !== mi) {
    return null;
  }
  const zone = m[7];
  const offsetMinutes = !zone || zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return new Date(wall.getTime() - offsetMinutes * 60_000).toISOString();
}

/** An integer cell as digits (no float round trip, so 18-digit ids survive), `12.0` as `12`; otherwise null. */
function normaliseInteger(raw: string): string | null {
  const m = /^(\d+)(?:\.0+)?$/.exec(raw.trim());
  return m ? (m[1] as string).replace(/^0+(?=\d)/, '') : null;
}

const d = dag({
  id: 'scrape_microbatch',
  description: 'Every minute: a sampled batch of scraped messages → S3 → warehouse (merge) → loaded/',
  schedule: { every: '1m' },
  start: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  tags: ['example', 'scraper', 'redshift'],
  defaultTaskOptions: { retries: 2, retryDelay: '2s', exponentialBackoff: true, maxRetryDelay: '20s', timeout: '5m' },
});

const sample = d.task('sample_batch', async (ctx): Promise<BatchSummary> => {
  const bucket = await ctx.render('{{ var.lake_bucket }}');
  const batchId = await ctx.render('{{ ts_nodash }}');
  const key = `raw/scraped/${batchId}/messages.csv`;
  const [header, ...records] = parseCsv(await readFile(SOURCE_CSV, 'utf8'));
  const column = (name: string): number => {
    const index = header?.indexOf(name) ?? -1;
    if (index < 0) throw new Error(`${SOURCE_CSV.pathname}: no column '${name}'`);
    return index;
  };
  const at = { id: column('message_id'), channel: column('channel'), author: column('author_id'), posted: column('posted_at'), message: column('message'), reactions: column('reactions') };
  const seed = batchSeed(ctx.dagId, ctx.logicalDate);
  const indexes = sampleIndexes(records.length, seed);
  const summary: BatchSummary = { bucket, key, batchId, seed, sampled: indexes.length, rows: 0, droppedWithoutMessageId: 0, nullAuthorIds: 0, unparseableTimestamps: 0, nullReactions: 0, longMessages: 0 };
  const rows: BatchRow[] = [];
  for (const index of indexes) {
    const cell = (i: number): string => records[index]?.[i] ?? '';
    const messageId = normaliseInteger(cell(at.id));
    if (messageId === null) {
      summary.droppedWithoutMessageId += 1;
      continue;
    }
    const rawPosted = cell(at.posted);
    const row: BatchRow = {
      batch_id: batchId,
      message_id: messageId,
      channel: cell(at.channel) || null,
      author_id: normaliseInteger(cell(at.author)),
      posted_at: normaliseTimestamp(rawPosted),
      posted_at_raw: rawPosted === '' ? null : rawPosted,
      message: cell(at.message),
      message_length: String([...cell(at.message)].length),
      reactions: normaliseInteger(cell(at.reactions)),
    };
    if (row.author_id === null) summary.nullAuthorIds += 1;
    if (row.posted_at === null) summary.unparseableTimestamps += 1;
    if (row.reactions === null) summary.nullReactions += 1;
    if (Number(row.message_length) > MESSAGE_WIDTH) summary.longMessages += 1;
    rows.push(row);
  }
  summary.rows = rows.length;
  const lines = [BATCH_COLUMNS.join(','), ...rows.map((row) => BATCH_COLUMNS.map((c) => csvField(row[c])).join(','))];
  const s3 = new S3Hook('aws_default', ctx);
  try {
    await s3.put(bucket, key, `${lines.join('\n')}\n`, { contentType: 'text/csv' });
  } finally {
    await s3.destroy();
  }
  ctx.log.info('batch written', { ...summary });
  return summary;
});

const createTable = d.task(
  'create_table',
  sqlOperator({
    sql: `CREATE SCHEMA IF NOT EXISTS scraped;
          CREATE TABLE IF NOT EXISTS scraped.messages (
            message_id BIGINT NOT NULL,
            channel VARCHAR(64),
            author_id BIGINT,
            posted_at TIMESTAMPTZ,
            posted_at_raw VARCHAR(64),
            message VARCHAR(${MESSAGE_WIDTH}),
            message_length INTEGER,
            reactions INTEGER,
            batch_id VARCHAR(32) NOT NULL,
            PRIMARY KEY (message_id)
          )`,
  }),
);

const load = d.task(
  'load_batch',
  { upstream: [sample, createTable] },
  s3ToRedshift({
    bucket: '{{ var.lake_bucket }}',
    keys: ['raw/scraped/{{ ts_nodash }}/messages.csv'],
    table: TABLE,
    format: 'csv',
    columns: [...BATCH_COLUMNS],
    timeFormat: 'auto',
    mode: 'merge',
    mergeKeys: ['message_id'],
    longText: 'truncate',
  }),
);

const archive = d.task(
  'archive_batch',
  s3MovePrefix({
    sourceBucket: '{{ var.lake_bucket }}',
    sourcePrefix: 'raw/scraped/{{ ts_nodash }}/',
    targetPrefix: 'loaded/scraped/{{ ts_nodash }}/',
  }),
);

chain(load, archive);

export default d;

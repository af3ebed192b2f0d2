/**
 * movies-monthly: once a month, an incremental `movies_metadata` CSV (the-movies-dataset layout) → a raw copy
 * in S3 partitioned by ingest year/month → parsed (bad rows refused and counted) and staged as JSON Lines →
 * loaded into the warehouse, one partition per ingest month → munged into `movies`, `genres` and
 * `production_companies` without duplicates → aggregates by year, genre and production company recomputed
 * over all months → each aggregate served as a static JSON file under `api/movies/`.
 *
 * The AWS original: the file uploaded to S3 → a Glue job → Athena/Redshift → static JSON in S3, with SNS
 * alerts. Here each step is a task, and any task failure posts one alert (the webhook notifier, connection
 * `alerts_webhook`). Rerunning a month replaces that month's partition and recomputes everything else.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FailNowError, dag, webhookNotifier, type TaskContext } from '@sluice/core';
import { S3Hook, s3KeySensor } from '@sluice/plugin-aws';
import { WarehouseHook, s3ToRedshift, sqlOperator, uniqueKeyCheck } from '@sluice/plugin-redshift';
import { CsvSyntaxError } from './lib/_movies-csv.js';
import { MoviesFileError, parseMoviesFile, type ParsedMoviesFile } from './lib/_movies-rows.js';
import {
  AGGREGATE_ENDPOINTS,
  BUILD_AGGREGATES_SQL,
  BUILD_TABLES_SQL,
  CREATE_TABLES_SQL,
  REVISION_COLUMNS,
  REVISION_TABLES,
  selectAggregateSql,
} from './lib/_movies-sql.js';

/** The sample monthly files shipped with the examples (the default of the variable `movies_source_dir`). */
export const BUNDLED_MOVIES_DIR = fileURLToPath(new URL('../data/movies/', import.meta.url));
/** The connection the failure alerts are posted to (an `http(s)` connection, or any type with `extra.url`). */
export const MOVIES_ALERTS_CONNECTION = 'alerts_webhook';

const BUCKET = '{{ var.lake_bucket }}';
const RAW_KEY = "raw/movies/year={{ logical_date | date('YYYY') }}/month={{ logical_date | date('MM') }}/movies_metadata.csv";
/** The ingest month, `yyyy-mm-01`, whatever day a manual run's logical date falls on. */
const INGEST_MONTH = "{{ logical_date | date('YYYY-MM') }}-01";
const STAGING_PREFIX = `staging/movies/ingest_month=${INGEST_MONTH}/`;

/** The S3 key of a month's raw file: `raw/movies/year=<yyyy>/month=<mm>/movies_metadata.csv`. */
export function rawMoviesKey(month: Date): string {
  const [year, mm] = month.toISOString().slice(0, 7).split('-');
  return `raw/movies/year=${year}/month=${mm}/movies_metadata.csv`;
}

/** The name of a month's file in the source folder: `movies_metadata_<yyyy>_<mm>.csv`. */
export function sourceFileName(month: Date): string {
  return `movies_metadata_${month.toISOString().slice(0, 7).replace('-', '_')}.csv`;
}

async function lakeBucket(ctx: TaskContext): Promise<string> {
  const bucket = await ctx.getVariable('lake_bucket');
  if (!bucket) throw new FailNowError("variable 'lake_bucket' is not set");
  return bucket;
}

const moviesMonthly = dag({
  id: 'movies_monthly',
  description: 'Monthly movies metadata → S3 raw → warehouse tables → aggregates as static JSON in S3',
  schedule: '@monthly',
  start: '2026-08-01T00:00:00Z',
  catchup: false,
  // Each run rebuilds the all-months tables: one run at a time keeps the rebuilds from interleaving.
  maxActiveRuns: 1,
  tags: ['example', 'movies', 'aws', 'redshift'],
  defaultTaskOptions: { retries: 1, retryDelay: '2m', timeout: '30m' },
  notifiers: [webhookNotifier({ connId: MOVIES_ALERTS_CONNECTION, on: ['failure'] })],
});

const prepare = moviesMonthly.task(
  'prepare_warehouse',
  { doc: 'The movies schema and the tables the munge and aggregates rebuild' },
  sqlOperator({ sql: CREATE_TABLES_SQL }),
);

// The month's file already in S3 (dropped there by hand or by another system, as on real AWS) is used as
// is; otherwise the file of the source folder (variable `movies_source_dir`) is copied; with neither, the
// sensor waits for someone to drop it.
const findRaw = moviesMonthly.branch('find_raw_file', { doc: 'Use the raw file already in S3, else copy it from the source folder' }, async (ctx) => {
  const bucket = await lakeBucket(ctx);
  const key = rawMoviesKey(ctx.logicalDate);
  const s3 = new S3Hook('aws_default', ctx);
  try {
    if (await s3.exists(bucket, key)) {
      ctx.log.info('raw file already in S3', { key });
      return 'wait_raw_file';
    }
  } finally {
    await s3.destroy();
  }
  const dir = (await ctx.getVariable('movies_source_dir')) ?? BUNDLED_MOVIES_DIR;
  const file = join(dir, sourceFileName(ctx.logicalDate));
  if (await access(file).then(() => true, () => false)) return 'upload_raw_file';
  ctx.log.warn('no source file for this month: waiting for it in S3', { key, file: sourceFileName(ctx.logicalDate) });
  return 'wait_raw_file';
});

const upload = moviesMonthly.task('upload_raw_file', { doc: "Copy the month's source file to its raw key" }, async (ctx) => {
  const bucket = await lakeBucket(ctx);
  const key = rawMoviesKey(ctx.logicalDate);
  const dir = (await ctx.getVariable('movies_source_dir')) ?? BUNDLED_MOVIES_DIR;
  const body = await readFile(join(dir, sourceFileName(ctx.logicalDate)));
  const s3 = new S3Hook('aws_default', ctx);
  try {
    await s3.upload(bucket, key, body, { contentType: 'text/csv' });
  } finally {
    await s3.destroy();
  }
  ctx.log.info('raw file copied', { key, bytes: body.length });
  ctx.recordAssetEvent(`s3://${bucket}/raw/movies`, { keys: [key], bytes: body.length });
  return { key, bytes: body.length };
});

const waitRaw = moviesMonthly.sensor(
  'wait_raw_file',
  { mode: 'reschedule', pokeInterval: '5m', sensorTimeout: '12h' },
  s3KeySensor({ bucket: BUCKET, key: RAW_KEY }),
);
findRaw.then([upload, waitRaw]);

// Reads the raw CSV, refuses the bad rows and stages the month as three JSON Lines objects.
const parse = moviesMonthly.task(
  'parse_movies',
  { upstream: [upload, waitRaw], triggerRule: 'none_failed_min_one_success', doc: 'Validate the rows and stage them as JSON Lines' },
  async (ctx) => {
    const bucket = await lakeBucket(ctx);
    const month = await ctx.render(INGEST_MONTH);
    const prefix = await ctx.render(STAGING_PREFIX);
    const s3 = new S3Hook('aws_default', ctx);
    try {
      const key = rawMoviesKey(ctx.logicalDate);
      let parsed: ParsedMoviesFile;
      try {
        parsed = parseMoviesFile(await s3.getString(bucket, key));
      } catch (error) {
        // A file that is not a movies_metadata CSV stays broken on a retry: fail at once (and alert).
        if (error instanceof MoviesFileError || error instanceof CsvSyntaxError) {
          throw new FailNowError(`${key} is not a movies_metadata CSV: ${error.message}`, { cause: error });
        }
        throw error;
      }
      if (parsed.movies.length === 0) throw new FailNowError(`no valid movie in ${key} (${parsed.rejected} rows refused)`);
      const withMonth = <T extends object>(rows: T[]) => rows.map((row) => ({ ingest_month: month, ...row }));
      await s3.writeJsonLines(bucket, `${prefix}movies.jsonl`, withMonth(parsed.movies.map((p) => p.movie)));
      await s3.writeJsonLines(
        bucket,
        `${prefix}genres.jsonl`,
        withMonth(parsed.movies.flatMap((p) => p.genres.map((g) => ({ movie_id: p.movie.id, genre_id: g.id, genre_name: g.name })))),
      );
      await s3.writeJsonLines(
        bucket,
        `${prefix}companies.jsonl`,
        withMonth(parsed.movies.flatMap((p) => p.companies.map((c) => ({ movie_id: p.movie.id, company_id: c.id, company_name: c.name })))),
      );
      const summary = {
        rowsRead: parsed.rowsRead,
        validMovies: parsed.movies.length,
        rejected: parsed.rejected,
        rejectedByReason: parsed.rejectedByReason,
        duplicatesDropped: parsed.duplicatesDropped,
      };
      ctx.log.info('parsed the month', { ...summary, rejectedSamples: parsed.rejectedSamples });
      return summary;
    } finally {
      await s3.destroy();
    }
  },
);

/** Loads one staged object into its per-month table, replacing that month's partition. */
function loadMonth(taskId: string, object: string, kind: keyof typeof REVISION_TABLES) {
  return moviesMonthly.task(
    taskId,
    { upstream: [parse, prepare], doc: `Replace this month's partition of ${REVISION_TABLES[kind]}` },
    s3ToRedshift({
      bucket: BUCKET,
      keys: [`${STAGING_PREFIX}${object}`],
      table: REVISION_TABLES[kind],
      format: 'json',
      mode: 'replace-partition',
      partition: { column: 'ingest_month', value: INGEST_MONTH },
      createTable: 'if-missing',
      schema: { columns: REVISION_COLUMNS[kind].map((column) => ({ ...column })) },
    }),
  );
}
const loads = [
  loadMonth('load_movie_revisions', 'movies.jsonl', 'movies'),
  loadMonth('load_genre_revisions', 'genres.jsonl', 'genres'),
  loadMonth('load_company_revisions', 'companies.jsonl', 'companies'),
];

const munge = moviesMonthly.task(
  'build_tables',
  { upstream: loads, doc: 'Rebuild movies (latest revision per id), genres, production_companies and the links' },
  sqlOperator({ sql: BUILD_TABLES_SQL }),
);

const checks = [
  moviesMonthly.task('check_movies_unique', { upstream: [munge] }, uniqueKeyCheck({ table: 'movies.movies', keyColumns: ['id'] })),
  moviesMonthly.task('check_genres_unique', { upstream: [munge] }, uniqueKeyCheck({ table: 'movies.genres', keyColumns: ['genre_id'] })),
  moviesMonthly.task(
    'check_companies_unique',
    { upstream: [munge] },
    uniqueKeyCheck({ table: 'movies.production_companies', keyColumns: ['company_id'] }),
  ),
];

const aggregates = moviesMonthly.task(
  'build_aggregates',
  { upstream: checks, doc: 'Recompute the aggregates by year, genre and production company over all months' },
  sqlOperator({ sql: BUILD_AGGREGATES_SQL }),
);

/** The endpoint fields holding names; every other field is a number (pg returns BIGINT and DECIMAL as strings). */
const TEXT_FIELDS = new Set(['genre', 'company']);

/** A row of an aggregate table as served: numbers as JSON numbers, unknown averages as null. */
function toJsonRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, TEXT_FIELDS.has(key) || value === null ? value : Number(value)]));
}

moviesMonthly.task('publish_api', { upstream: [aggregates], doc: 'Write each aggregate as JSON under api/movies/' }, async (ctx) => {
  const bucket = await lakeBucket(ctx);
  const warehouse = await WarehouseHook.fromContext(ctx, 'redshift_default');
  const s3 = new S3Hook('aws_default', ctx);
  try {
    const months = await warehouse.query<{ month: string }>(
      `SELECT DISTINCT TO_CHAR(ingest_month, 'YYYY-MM') AS month FROM ${REVISION_TABLES.movies} ORDER BY 1`,
    );
    const written: { key: string; rows: number }[] = [];
    for (const endpoint of AGGREGATE_ENDPOINTS) {
      const { rows } = await warehouse.query<Record<string, unknown>>(selectAggregateSql(endpoint));
      const key = `api/movies/${endpoint.name}.json`;
      const document = { aggregate: endpoint.name, ingestMonths: months.rows.map((r) => r.month), rows: rows.map(toJsonRow) };
      await s3.put(bucket, key, `${JSON.stringify(document, null, 2)}\n`, { contentType: 'application/json' });
      written.push({ key, rows: rows.length });
    }
    ctx.log.info('published the endpoints', { keys: written.map((w) => w.key) });
    ctx.recordAssetEvent(`s3://${bucket}/api/movies`, { keys: written.map((w) => w.key) });
    return { bucket, endpoints: written };
  } finally {
    await Promise.all([s3.destroy(), warehouse.close()]);
  }
});

export default moviesMonthly;

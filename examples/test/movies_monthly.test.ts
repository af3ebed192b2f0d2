/**
 * movies_monthly: unit tests of the Python-literal, CSV and row parsers, then end to end with a real
 * Scheduler on a manual clock against the local environment (s3rver, a fresh warehouse database, the alerts
 * receiver): the three bundled months as scheduled runs, checking after each one the S3 objects, the
 * warehouse tables and the aggregates against values computed here from the CSV files (read with
 * csv-parse, not the DAG's reader); a rerun of month 2 after month 3 and a mid-month manual run; a broken
 * file that fails the run and sends one alert.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { clearTaskInstances, getLogLines, listRuns, listTaskInstances, triggerDagRun, type DagRunRecord } from '@sluice/core';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import moviesMonthly, { BUNDLED_MOVIES_DIR } from '../dags/movies_monthly.js';
import { CsvSyntaxError, parseCsv } from '../dags/lib/_movies-csv.js';
import { PythonLiteralError, parseIdNameList, parsePythonLiteral } from '../dags/lib/_movies-literal.js';
import { MoviesFileError, parseMoviesFile } from '../dags/lib/_movies-rows.js';
import { listKeys, startHarness, type PipelineHarness } from './reddit-harness.js';

describe('parsePythonLiteral', () => {
  it('reads the lists of dicts of the dataset, whichever quotes Python chose', () => {
    expect(parsePythonLiteral("[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]")).toEqual([
      { id: 16, name: 'Animation' },
      { id: 35, name: 'Comedy' },
    ]);
    expect(parsePythonLiteral(`[{'name': "Po' Boy Productions", 'id': 7295}]`)).toEqual([{ name: "Po' Boy Productions", id: 7295 }]);
    expect(parsePythonLiteral(`[{'name': 'Bob\\'s "Big" Pictures', 'id': 1}]`)).toEqual([{ name: 'Bob\'s "Big" Pictures', id: 1 }]);
    expect(parsePythonLiteral(`'caf\\xe9 \\u00e9t\\u00e9 \\U0001F3AC'`)).toBe('café été 🎬');
  });

  it('reads None, True, False, numbers, tuples, prefixes and nested values', () => {
    expect(parsePythonLiteral("{'id': 10, 'poster_path': None, 'ok': True, 'no': False, 'x': -1.5e2, 'big': 1_000}")).toEqual({
      id: 10,
      poster_path: null,
      ok: true,
      no: false,
      x: -150,
      big: 1000,
    });
    expect(parsePythonLiteral("(1, [2, (3,)], u'a', r'\\n')")).toEqual([1, [2, [3]], 'a', '\\n']);
    expect(parsePythonLiteral('  [ ]  ')).toEqual([]);
  });

  it('refuses what is not a literal, naming the offset, and never evaluates', () => {
    for (const bad of ["[{'id': 18, 'name': 'Com", "[{'id': 1,, }]", "__import__('os')", "[1] + [2]", "{'a' 1}", "'x\ny'"]) {
      expect(() => parsePythonLiteral(bad), bad).toThrow(PythonLiteralError);
    }
    expect(() => parsePythonLiteral('[1, 2')).toThrow(/offset 5/);
    expect(() => parsePythonLiteral('['.repeat(100))).toThrow(/too deep/);
  });

  it('parseIdNameList wants integer ids and names', () => {
    expect(parseIdNameList('')).toEqual([]);
    expect(parseIdNameList("[{'name': \"Lumière d'Or\", 'id': 4171}]")).toEqual([{ id: 4171, name: "Lumière d'Or" }]);
    expect(() => parseIdNameList("[{'id': '16', 'name': 'Animation'}]")).toThrow(/integer 'id'/);
    expect(() => parseIdNameList("{'id': 16, 'name': 'Animation'}")).toThrow(/expected a list/);
    expect(() => parseIdNameList("[{'id': 16}]")).toThrow(/no 'name'/);
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, LF or CRLF', () => {
    const records = parseCsv('a,b,c\r\n1,"x, ""y""","two\nlines"\n\n2,,\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', 'two\nlines'] },
      { line: 5, fields: ['2', '', ''] },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow(CsvSyntaxError);
  });
});

describe('parseMoviesFile', () => {
  it('refuses a file without the movies_metadata columns', () => {
    expect(() => parseMoviesFile('id,title\n1,x\n')).toThrow(MoviesFileError);
  });

  it('counts the bad rows of a bundled month by reason and keeps the last row of an id', async () => {
    const parsed = parseMoviesFile(await readFile(join(BUNDLED_MOVIES_DIR, 'movies_metadata_2026_08.csv'), 'utf8'));
    expect(parsed.rejectedByReason).toEqual({ bad_id: 2, column_count: 1, bad_list: 1, bad_date: 1, missing_title: 1 });
    expect(parsed.rejected).toBe(6);
    expect(parsed.duplicatesDropped).toBe(5);
    expect(parsed.movies.length + parsed.rejected + parsed.duplicatesDropped).toBe(parsed.rowsRead);
  });
});

// ---------- the expected state, computed from the CSV files independently of the DAG's reader ----------

interface ExpectedMovie {
  id: number;
  title: string;
  releaseDate: string | null;
  budget: number | null;
  revenue: number | null;
  popularity: number | null;
  voteAverage: number | null;
  voteCount: number | null;
  genres: Map<number, string>;
  companies: Map<number, string>;
}

const MONTHS = ['2026-08-01', '2026-09-01', '2026-10-01'] as const;

/** Valid rows of a month file, in file order, and the number refused. */
async function readMonth(month: string): Promise<{ movies: ExpectedMovie[]; refused: number }> {
  const file = join(BUNDLED_MOVIES_DIR, `movies_metadata_${month.slice(0, 7).replace('-', '_')}.csv`);
  const rows = parseCsvSync(await readFile(file, 'utf8'), { relax_column_count: true, skip_empty_lines: true }) as string[][];
  const header = rows[0] as string[];
  const movies: ExpectedMovie[] = [];
  let refused = 0;
  for (const row of rows.slice(1)) {
    const cell = (name: string): string => (row[header.indexOf(name)] ?? '').trim();
    const num = (name: string): number | null => (cell(name) === '' ? null : Number(cell(name)));
    const known = (name: string): number | null => (num(name) === 0 ? null : num(name));
    const date = cell('release_date');
    const validDate = date === '' || (!Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date));
    let genres: Map<number, string>;
    let companies: Map<number, string>;
    try {
      genres = new Map(parseIdNameList(cell('genres')).map((g) => [g.id, g.name]));
      companies = new Map(parseIdNameList(cell('production_companies')).map((c) => [c.id, c.name]));
    } catch {
      refused++;
      continue;
    }
    const numbers = ['budget', 'revenue', 'popularity', 'vote_average', 'vote_count'].map(num);
    if (row.length !== header.length || !/^\d+$/.test(cell('id')) || !['True', 'False'].includes(cell('adult')) || cell('title') === '' || !validDate || numbers.some((n) => Number.isNaN(n))) {
      refused++;
      continue;
    }
    movies.push({
      id: Number(cell('id')),
      title: cell('title'),
      releaseDate: date || null,
      budget: known('budget'),
      revenue: known('revenue'),
      popularity: num('popularity'),
      voteAverage: num('vote_average'),
      voteCount: num('vote_count'),
      genres,
      companies,
    });
  }
  return { movies, refused };
}

/** The latest revision of every movie after the given months (later months, then later rows, win). */
async function expectedMovies(months: readonly string[]): Promise<Map<number, ExpectedMovie>> {
  const byId = new Map<number, ExpectedMovie>();
  for (const month of months) for (const movie of (await readMonth(month)).movies) byId.set(movie.id, movie);
  return byId;
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

function measures(movies: ExpectedMovie[]): Record<string, unknown> {
  const sum = (values: (number | null)[]): number => values.reduce<number>((a, b) => a + (b ?? 0), 0);
  const avg = (values: (number | null)[]): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length === 0 ? null : round4(known.reduce((a, b) => a + b, 0) / known.length);
  };
  const profits = movies.filter((m) => m.budget !== null && m.revenue !== null).map((m) => (m.revenue as number) - (m.budget as number));
  const vote = avg(movies.map((m) => m.voteAverage));
  const popularity = avg(movies.map((m) => m.popularity));
  return {
    movieCount: movies.length,
    budgetTotal: sum(movies.map((m) => m.budget)),
    revenueTotal: sum(movies.map((m) => m.revenue)),
    profitTotal: sum(profits),
    profitMovieCount: profits.length,
    avgVoteAverage: vote === null ? null : expect.closeTo(vote, 3),
    avgPopularity: popularity === null ? null : expect.closeTo(popularity, 3),
  };
}

function groupRows<K extends number>(movies: ExpectedMovie[], keysOf: (m: ExpectedMovie) => [K, string | undefined][], label: (key: K, name: string | undefined) => Record<string, unknown>) {
  const groups = new Map<K, { name: string | undefined; movies: ExpectedMovie[] }>();
  for (const movie of movies) {
    for (const [key, name] of keysOf(movie)) {
      const group = groups.get(key) ?? { name, movies: [] };
      group.movies.push(movie);
      groups.set(key, group);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([key, group]) => ({ ...label(key, group.name), ...measures(group.movies) }));
}

function expectedAggregates(byId: Map<number, ExpectedMovie>): Record<'by-year' | 'by-genre' | 'by-company', unknown[]> {
  const movies = [...byId.values()];
  return {
    'by-year': groupRows(movies, (m) => (m.releaseDate ? [[Number(m.releaseDate.slice(0, 4)), undefined]] : []), (year) => ({ year })),
    'by-genre': groupRows(movies, (m) => [...m.genres], (genreId, genre) => ({ genreId, genre })),
    'by-company': groupRows(movies, (m) => [...m.companies], (companyId, company) => ({ companyId, company })),
  };
}

// ---------- end to end: a real Scheduler on a manual clock, the local environment ----------

describe('movies_monthly end to end', () => {
  let h: PipelineHarness;
  let brokenDir: string;
  const DAG_ID = 'movies_monthly';

  /** Drives the scheduler until the run of `logicalDate` has finished; returns it. */
  const finishedRun = async (logicalDate: string): Promise<DagRunRecord> => {
    const find = async () => (await listRuns(h.store.knex, { dagId: DAG_ID })).find((r) => r.logicalDate.getTime() === Date.parse(logicalDate));
    const finished = async () => ['success', 'failed'].includes((await find())?.state ?? '');
    await h.drive(finished, 400);
    return (await find()) as DagRunRecord;
  };
  const taskStates = async (run: DagRunRecord): Promise<Map<string, { state: string; error: string | null; tryNumber: number }>> =>
    new Map((await listTaskInstances(h.store.knex, [run.pk])).map((t) => [t.taskId, { state: t.state, error: t.error, tryNumber: t.tryNumber }]));
  const failures = async (run: DagRunRecord): Promise<string[]> =>
    [...(await taskStates(run))].filter(([, t]) => t.state !== 'success' && t.state !== 'skipped').map(([id, t]) => `${id}: ${t.state} ${t.error ?? ''}`);
  /** The counts `parse_movies` logged (the same object is its output). */
  const parseSummary = async (run: DagRunRecord): Promise<Record<string, unknown>> => {
    const lines = await getLogLines(h.store.knex, { runPk: run.pk, taskId: 'parse_movies', mapIndex: -1 });
    return lines.filter((l) => l.message === 'parsed the month').at(-1)?.fields ?? {};
  };

  const getText = async (key: string): Promise<string> => {
    const object = await h.env.s3.client.send(new GetObjectCommand({ Bucket: h.env.s3.bucket, Key: key }));
    return (await object.Body?.transformToString('utf8')) ?? '';
  };
  const keys = (prefix: string): Promise<string[]> => listKeys(h.env, prefix);
  const query = async (sql: string, values?: unknown[]): Promise<Record<string, unknown>[]> =>
    (await h.warehouse.query(sql, values)).rows as Record<string, unknown>[];

  /** Every table and endpoint the pipeline maintains, for before/after comparisons. */
  const snapshot = async (): Promise<unknown> => ({
    movies: await query(`SELECT id, title, TO_CHAR(release_date, 'YYYY-MM-DD') AS release_date, budget, revenue, profit, popularity, vote_average,
      vote_count, TO_CHAR(ingest_month, 'YYYY-MM-DD') AS ingest_month FROM movies.movies ORDER BY id`),
    revisions: await query(`SELECT TO_CHAR(ingest_month, 'YYYY-MM-DD') AS m, count(*)::int AS n FROM movies.movie_revisions GROUP BY 1 ORDER BY 1`),
    genres: await query('SELECT * FROM movies.genres ORDER BY genre_id'),
    companies: await query('SELECT * FROM movies.production_companies ORDER BY company_id'),
    movieGenres: await query('SELECT * FROM movies.movie_genres ORDER BY movie_id, genre_id'),
    movieCompanies: await query('SELECT * FROM movies.movie_production_companies ORDER BY movie_id, company_id'),
    byYear: await query('SELECT * FROM movies.agg_by_year ORDER BY release_year'),
    byGenre: await query('SELECT * FROM movies.agg_by_genre ORDER BY genre_id'),
    byCompany: await query('SELECT * FROM movies.agg_by_company ORDER BY company_id'),
    api: await Promise.all((await keys('api/movies/')).map(async (key) => [key, await getText(key)])),
  });

  beforeAll(async () => {
    // Just after the end of August: the scheduler creates August's run (no catchup).
    h = await startHarness([moviesMonthly], new Date('2026-09-01T00:00:30Z'));
    brokenDir = await mkdtemp(join(tmpdir(), 'sluice-movies-'));
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    if (brokenDir) await rm(brokenDir, { recursive: true, force: true });
  }, 60_000);

  for (const [index, ds] of MONTHS.entries()) {
    it(`month ${index + 1} (${ds.slice(0, 7)}): raw copy, tables and aggregates equal the independently computed ones`, async () => {
      // The run of a month is created once the month is over.
      h.clock.set(new Date(Date.parse(`${MONTHS[index + 1] ?? '2026-11-01'}T00:00:30Z`)));
      const run = await finishedRun(`${ds}T00:00:00Z`);
      expect(await failures(run)).toEqual([]);
      expect(run.runType).toBe('scheduled');
      expect(run.state).toBe('success');
      expect((await taskStates(run)).get('wait_raw_file')?.state).toBe('skipped');

      // The raw copy, partitioned by ingest year/month, byte for byte the source file.
      const rawKeys = MONTHS.slice(0, index + 1).map((m) => `raw/movies/year=${m.slice(0, 4)}/month=${m.slice(5, 7)}/movies_metadata.csv`);
      expect(await keys('raw/movies/')).toEqual(rawKeys);
      expect(await getText(rawKeys[index] as string)).toBe(
        await readFile(join(BUNDLED_MOVIES_DIR, `movies_metadata_${ds.slice(0, 7).replace('-', '_')}.csv`), 'utf8'),
      );

      // Bad rows counted.
      const { refused, movies: valid } = await readMonth(ds);
      const parsed = await parseSummary(run);
      expect(parsed.rejected).toBe(refused);
      expect(parsed.rejected).toBe(6);
      expect((parsed.rejectedByReason as Record<string, number>).bad_id).toBe(2);
      expect(parsed.validMovies).toBe(new Set(valid.map((m) => m.id)).size);

      // movies: the distinct valid movies seen so far, each with its latest revision.
      const expected = await expectedMovies(MONTHS.slice(0, index + 1));
      const movies = await query(`SELECT id::int AS id, title, TO_CHAR(release_date, 'YYYY-MM-DD') AS release_date, budget::float8 AS budget,
        revenue::float8 AS revenue, popularity, vote_average, vote_count FROM movies.movies ORDER BY id`);
      expect(movies).toEqual(
        [...expected.values()]
          .sort((a, b) => a.id - b.id)
          .map((m) => ({ id: m.id, title: m.title, release_date: m.releaseDate, budget: m.budget, revenue: m.revenue, popularity: m.popularity, vote_average: m.voteAverage, vote_count: m.voteCount })),
      );

      // genres and production_companies: each id once, only those of current movies.
      const genres = new Map<number, string>();
      const companies = new Map<number, string>();
      for (const m of expected.values()) {
        for (const [id, name] of m.genres) genres.set(id, name);
        for (const [id, name] of m.companies) companies.set(id, name);
      }
      const sortedEntries = (map: Map<number, string>) => [...map].sort(([a], [b]) => a - b).map(([id, name]) => ({ id, name }));
      expect(await query('SELECT genre_id::int AS id, name FROM movies.genres ORDER BY genre_id')).toEqual(sortedEntries(genres));
      expect(await query('SELECT company_id::int AS id, name FROM movies.production_companies ORDER BY company_id')).toEqual(sortedEntries(companies));

      // Aggregates: the served JSON equals the values computed here, and so do the warehouse tables.
      const aggregates = expectedAggregates(expected);
      expect(await keys('api/movies/')).toEqual(['api/movies/by-company.json', 'api/movies/by-genre.json', 'api/movies/by-year.json']);
      for (const name of ['by-year', 'by-genre', 'by-company'] as const) {
        const served = JSON.parse(await getText(`api/movies/${name}.json`)) as { aggregate: string; ingestMonths: string[]; rows: unknown[] };
        expect(served.aggregate).toBe(name);
        expect(served.ingestMonths).toEqual(MONTHS.slice(0, index + 1).map((m) => m.slice(0, 7)));
        expect(served.rows).toEqual(aggregates[name]);
      }
      const byYear = await query(`SELECT release_year AS "year", movie_count::float8 AS "movieCount", budget_total::float8 AS "budgetTotal",
        revenue_total::float8 AS "revenueTotal", profit_total::float8 AS "profitTotal", profit_movie_count::float8 AS "profitMovieCount",
        avg_vote_average::float8 AS "avgVoteAverage", avg_popularity::float8 AS "avgPopularity" FROM movies.agg_by_year ORDER BY release_year`);
      expect(byYear).toEqual(aggregates['by-year']);
    }, 180_000);
  }

  it('a later month revised earlier movies and the year aggregates span many release years', async () => {
    const august = new Set((await readMonth('2026-08-01')).movies.map((m) => m.id));
    const revised = [...new Set((await readMonth('2026-09-01')).movies.filter((m) => august.has(m.id)).map((m) => m.id))];
    expect(revised.length).toBeGreaterThan(50);
    // Those not revised again in October carry September's revision.
    const october = new Set((await readMonth('2026-10-01')).movies.map((m) => m.id));
    const onlySeptember = revised.filter((id) => !october.has(id));
    const rows = await query(`SELECT count(*)::int AS n FROM movies.movies WHERE TO_CHAR(ingest_month, 'YYYY-MM') = '2026-09' AND id = ANY($1::bigint[])`, [
      onlySeptember,
    ]);
    expect(rows[0]?.n).toBe(onlySeptember.length);
    expect((await query('SELECT count(*)::int AS n FROM movies.agg_by_year'))[0]?.n).toBeGreaterThan(40);
  });

  it('rerunning month 2 after month 3, or a manual run in mid-October, leaves every table and endpoint as it was', async () => {
    const before = await snapshot();
    const september = (await listRuns(h.store.knex, { dagId: DAG_ID })).find((r) => r.logicalDate.toISOString().startsWith('2026-09-01')) as DagRunRecord;
    expect(await clearTaskInstances(h.store.knex, { runPk: september.pk, structure: moviesMonthly.structure() })).toBeGreaterThan(0);
    const rerun = await finishedRun('2026-09-01T00:00:00Z');
    expect(await failures(rerun)).toEqual([]);
    // The raw file already sits in S3: the copy is skipped and the sensor finds it.
    const states = await taskStates(rerun);
    expect(states.get('upload_raw_file')?.state).toBe('skipped');
    expect(states.get('wait_raw_file')?.state).toBe('success');
    expect(await snapshot()).toEqual(before);
    expect(await keys('raw/movies/')).toHaveLength(3);

    // A manual run in the middle of October is October's ingest month: the same partition, nothing changes.
    await triggerDagRun(h.store.knex, moviesMonthly, { logicalDate: new Date('2026-10-17T12:30:00Z') }, h.clock.now());
    const manual = await finishedRun('2026-10-17T12:30:00Z');
    expect(await failures(manual)).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(await keys('staging/movies/')).toHaveLength(9);
  }, 240_000);

  it('a broken monthly file fails the run, changes nothing and sends one alert without secrets', async () => {
    const before = await snapshot();
    const alertsBefore = h.env.alerts.requests().length;
    await writeFile(join(brokenDir, 'movies_metadata_2026_11.csv'), 'id,name\n1,"not the movies layout"\n');
    // The environment backend reads this object on every lookup.
    h.env.env.SLUICE_VAR_MOVIES_SOURCE_DIR = brokenDir;
    h.clock.set('2026-12-01T00:00:30Z');
    const run = await finishedRun('2026-11-01T00:00:00Z');
    expect(run.state).toBe('failed');
    const parse = (await taskStates(run)).get('parse_movies');
    expect(parse?.state).toBe('failed');
    expect(parse?.tryNumber).toBe(1); // FailNowError: a broken file is not retried
    expect(parse?.error).toMatch(/not a movies_metadata CSV/);
    expect(await snapshot()).toEqual(before);

    const alerts = h.env.alerts.requests().slice(alertsBefore);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as (typeof alerts)[number];
    expect(alert.path).toBe('/hooks/alerts');
    expect(alert.body).toMatchObject({ kind: 'failure', dagId: DAG_ID, taskId: 'parse_movies', runId: run.runId, tryNumber: 1 });
    expect((alert.body as { error: string }).error).toMatch(/not a movies_metadata CSV/);
    // No secret of any connection in it: the warehouse password, the S3 secret key, the PagerDuty routing key.
    const text = JSON.stringify(alert.body);
    const secrets = [decodeURIComponent(new URL(h.env.warehouse.url).password), 'local-routing-key'];
    const aws = JSON.parse(h.env.env.SLUICE_CONN_AWS_DEFAULT ?? '{}') as { password?: string };
    if (aws.password) secrets.push(aws.password);
    for (const secret of secrets.filter((s) => s.length >= 4)) expect(text).not.toContain(secret);
  }, 180_000);
});

/**
 * Warehouse SQL of the `movies_monthly` DAG, written to run unchanged on Redshift and on Postgres (the
 * local warehouse): `CREATE … IF NOT EXISTS`, window functions instead of `DISTINCT ON`, `DECIMAL` casts
 * before `ROUND`. Every rebuild is `DELETE` + `INSERT … SELECT` over all ingested months inside the SQL
 * operator's single transaction, so a rerun of any month leaves the tables as one run would.
 * A helper module: its name starts with `_`, so the DAG loader skips it.
 */

/** The warehouse schema of the pipeline. */
export const MOVIES_SCHEMA = 'movies';

/** Per-month tables the loads replace one `ingest_month` partition of. */
export const REVISION_TABLES = {
  movies: `${MOVIES_SCHEMA}.movie_revisions`,
  genres: `${MOVIES_SCHEMA}.movie_genre_revisions`,
  companies: `${MOVIES_SCHEMA}.movie_company_revisions`,
} as const;

/** Explicit column lists of the per-month tables (created by the first load). */
export const REVISION_COLUMNS = {
  movies: [
    { name: 'ingest_month', type: 'date' },
    { name: 'id', type: 'bigint' },
    { name: 'imdb_id', type: 'string' },
    { name: 'title', type: 'string' },
    { name: 'original_title', type: 'string' },
    { name: 'original_language', type: 'string' },
    { name: 'adult', type: 'boolean' },
    { name: 'status', type: 'string' },
    { name: 'release_date', type: 'date' },
    { name: 'release_year', type: 'int' },
    { name: 'budget', type: 'bigint' },
    { name: 'revenue', type: 'bigint' },
    { name: 'runtime', type: 'double' },
    { name: 'popularity', type: 'double' },
    { name: 'vote_average', type: 'double' },
    { name: 'vote_count', type: 'int' },
  ],
  genres: [
    { name: 'ingest_month', type: 'date' },
    { name: 'movie_id', type: 'bigint' },
    { name: 'genre_id', type: 'bigint' },
    { name: 'genre_name', type: 'string' },
  ],
  companies: [
    { name: 'ingest_month', type: 'date' },
    { name: 'movie_id', type: 'bigint' },
    { name: 'company_id', type: 'bigint' },
    { name: 'company_name', type: 'string' },
  ],
} as const;

/** The schema and the tables the munge and the aggregates rebuild. */
export const CREATE_TABLES_SQL = `
CREATE SCHEMA IF NOT EXISTS movies;
CREATE TABLE IF NOT EXISTS movies.movies (
  id BIGINT NOT NULL, imdb_id VARCHAR(32), title VARCHAR(1024) NOT NULL, original_title VARCHAR(1024),
  original_language VARCHAR(16), adult BOOLEAN, status VARCHAR(64), release_date DATE, release_year INTEGER,
  budget BIGINT, revenue BIGINT, profit BIGINT, runtime DOUBLE PRECISION, popularity DOUBLE PRECISION,
  vote_average DOUBLE PRECISION, vote_count INTEGER, ingest_month DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS movies.genres (genre_id BIGINT NOT NULL, name VARCHAR(256) NOT NULL);
CREATE TABLE IF NOT EXISTS movies.production_companies (company_id BIGINT NOT NULL, name VARCHAR(512) NOT NULL);
CREATE TABLE IF NOT EXISTS movies.movie_genres (movie_id BIGINT NOT NULL, genre_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS movies.movie_production_companies (movie_id BIGINT NOT NULL, company_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS movies.agg_by_year (
  release_year INTEGER NOT NULL, movie_count BIGINT NOT NULL, budget_total BIGINT NOT NULL, revenue_total BIGINT NOT NULL,
  profit_total BIGINT NOT NULL, profit_movie_count BIGINT NOT NULL, avg_vote_average DECIMAL(12,4), avg_popularity DECIMAL(12,4)
);
CREATE TABLE IF NOT EXISTS movies.agg_by_genre (
  genre_id BIGINT NOT NULL, genre VARCHAR(256) NOT NULL, movie_count BIGINT NOT NULL, budget_total BIGINT NOT NULL,
  revenue_total BIGINT NOT NULL, profit_total BIGINT NOT NULL, profit_movie_count BIGINT NOT NULL,
  avg_vote_average DECIMAL(12,4), avg_popularity DECIMAL(12,4)
);
CREATE TABLE IF NOT EXISTS movies.agg_by_company (
  company_id BIGINT NOT NULL, company VARCHAR(512) NOT NULL, movie_count BIGINT NOT NULL, budget_total BIGINT NOT NULL,
  revenue_total BIGINT NOT NULL, profit_total BIGINT NOT NULL, profit_movie_count BIGINT NOT NULL,
  avg_vote_average DECIMAL(12,4), avg_popularity DECIMAL(12,4)
)`;

/**
 * Munge: `movies` holds each id's latest revision (the latest ingest month wins); `genres` and
 * `production_companies` each id once (named as in the latest revision that lists it); the link tables
 * the latest revision's genres and companies.
 */
export const BUILD_TABLES_SQL = `
DELETE FROM movies.movies;
INSERT INTO movies.movies (id, imdb_id, title, original_title, original_language, adult, status, release_date, release_year,
  budget, revenue, profit, runtime, popularity, vote_average, vote_count, ingest_month)
SELECT id, imdb_id, title, original_title, original_language, adult, status, release_date, release_year,
  budget, revenue, revenue - budget, runtime, popularity, vote_average, vote_count, ingest_month
FROM (
  SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.id ORDER BY r.ingest_month DESC) AS revision_rank
  FROM movies.movie_revisions r
) latest
WHERE revision_rank = 1;
DELETE FROM movies.movie_genres;
INSERT INTO movies.movie_genres (movie_id, genre_id)
SELECT DISTINCT g.movie_id, g.genre_id
FROM movies.movie_genre_revisions g JOIN movies.movies m ON m.id = g.movie_id AND m.ingest_month = g.ingest_month;
DELETE FROM movies.movie_production_companies;
INSERT INTO movies.movie_production_companies (movie_id, company_id)
SELECT DISTINCT c.movie_id, c.company_id
FROM movies.movie_company_revisions c JOIN movies.movies m ON m.id = c.movie_id AND m.ingest_month = c.ingest_month;
DELETE FROM movies.genres;
INSERT INTO movies.genres (genre_id, name)
SELECT genre_id, genre_name FROM (
  SELECT g.genre_id, g.genre_name, ROW_NUMBER() OVER (PARTITION BY g.genre_id ORDER BY g.ingest_month DESC, g.genre_name) AS name_rank
  FROM movies.movie_genre_revisions g JOIN movies.movie_genres l ON l.movie_id = g.movie_id AND l.genre_id = g.genre_id
) named
WHERE name_rank = 1;
DELETE FROM movies.production_companies;
INSERT INTO movies.production_companies (company_id, name)
SELECT company_id, company_name FROM (
  SELECT c.company_id, c.company_name, ROW_NUMBER() OVER (PARTITION BY c.company_id ORDER BY c.ingest_month DESC, c.company_name) AS name_rank
  FROM movies.movie_company_revisions c JOIN movies.movie_production_companies l ON l.movie_id = c.movie_id AND l.company_id = c.company_id
) named
WHERE name_rank = 1`;

/** The measures every aggregate has, over the movies `m` of a group. */
const MEASURES = `COUNT(*), COALESCE(SUM(m.budget), 0), COALESCE(SUM(m.revenue), 0), COALESCE(SUM(m.profit), 0), COUNT(m.profit),
  ROUND(CAST(AVG(m.vote_average) AS DECIMAL(18,6)), 4), ROUND(CAST(AVG(m.popularity) AS DECIMAL(18,6)), 4)`;
const MEASURE_COLUMNS = 'movie_count, budget_total, revenue_total, profit_total, profit_movie_count, avg_vote_average, avg_popularity';

/**
 * Aggregates over every movie (all months): by release year (movies without a release date are left
 * out), by genre and by production company. Unknown budgets/revenues (0 in the source) count as absent:
 * sums add the known ones, and profit (revenue − budget) exists only when both are known.
 */
export const BUILD_AGGREGATES_SQL = `
DELETE FROM movies.agg_by_year;
INSERT INTO movies.agg_by_year (release_year, ${MEASURE_COLUMNS})
SELECT m.release_year, ${MEASURES}
FROM movies.movies m WHERE m.release_year IS NOT NULL GROUP BY m.release_year;
DELETE FROM movies.agg_by_genre;
INSERT INTO movies.agg_by_genre (genre_id, genre, ${MEASURE_COLUMNS})
SELECT g.genre_id, g.name, ${MEASURES}
FROM movies.movie_genres l JOIN movies.genres g ON g.genre_id = l.genre_id JOIN movies.movies m ON m.id = l.movie_id
GROUP BY g.genre_id, g.name;
DELETE FROM movies.agg_by_company;
INSERT INTO movies.agg_by_company (company_id, company, ${MEASURE_COLUMNS})
SELECT c.company_id, c.name, ${MEASURES}
FROM movies.movie_production_companies l JOIN movies.production_companies c ON c.company_id = l.company_id
  JOIN movies.movies m ON m.id = l.movie_id
GROUP BY c.company_id, c.name`;

/** One aggregate as served under `api/movies/`: its table, the S3 key name and the group columns. */
export interface AggregateEndpoint {
  name: 'by-year' | 'by-genre' | 'by-company';
  table: string;
  /** SELECT list of the group columns, aliased to their JSON names. */
  groupColumns: string;
  orderBy: string;
}

/** The three endpoints, each read back with a fixed query and written to `api/movies/<name>.json`. */
export const AGGREGATE_ENDPOINTS: readonly AggregateEndpoint[] = [
  { name: 'by-year', table: 'movies.agg_by_year', groupColumns: 'release_year AS "year"', orderBy: 'release_year' },
  { name: 'by-genre', table: 'movies.agg_by_genre', groupColumns: 'genre_id AS "genreId", genre', orderBy: 'genre_id' },
  { name: 'by-company', table: 'movies.agg_by_company', groupColumns: 'company_id AS "companyId", company', orderBy: 'company_id' },
];

/** The SELECT reading one aggregate table back (fixed text: the endpoint list above is the only input). */
export function selectAggregateSql(endpoint: AggregateEndpoint): string {
  return `SELECT ${endpoint.groupColumns}, movie_count AS "movieCount", budget_total AS "budgetTotal", revenue_total AS "revenueTotal",
  profit_total AS "profitTotal", profit_movie_count AS "profitMovieCount", avg_vote_average AS "avgVoteAverage", avg_popularity AS "avgPopularity"
FROM ${endpoint.table} ORDER BY ${endpoint.orderBy}`;
}

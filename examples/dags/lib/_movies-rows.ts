/**
 * Validating and normalising `movies_metadata` rows (the Kaggle the-movies-dataset layout) for the
 * `movies_monthly` DAG. A helper module: its name starts with `_`, so the DAG loader skips it.
 */
import { parseCsv } from './_movies-csv.js';
import { parseIdNameList, type IdName } from './_movies-literal.js';

/** The columns of `movies_metadata.csv`, in file order. */
export const MOVIES_METADATA_COLUMNS = [
  'adult',
  'belongs_to_collection',
  'budget',
  'genres',
  'homepage',
  'id',
  'imdb_id',
  'original_language',
  'original_title',
  'overview',
  'popularity',
  'poster_path',
  'production_companies',
  'production_countries',
  'release_date',
  'revenue',
  'runtime',
  'spoken_languages',
  'status',
  'tagline',
  'title',
  'video',
  'vote_average',
  'vote_count',
] as const;

/** Why a row was refused. */
export type RejectReason = 'column_count' | 'bad_id' | 'bad_flag' | 'missing_title' | 'bad_number' | 'bad_date' | 'bad_list';

/** A valid movie row, as loaded into the warehouse (unknown values are `null`; a budget or revenue of 0 means unknown). */
export interface MovieRecord {
  id: number;
  imdb_id: string | null;
  title: string;
  original_title: string | null;
  original_language: string | null;
  adult: boolean;
  status: string | null;
  release_date: string | null;
  release_year: number | null;
  budget: number | null;
  revenue: number | null;
  runtime: number | null;
  popularity: number | null;
  vote_average: number | null;
  vote_count: number | null;
}

/** A valid row: the movie and its genres and production companies (each id once). */
export interface ParsedMovie {
  movie: MovieRecord;
  genres: IdName[];
  companies: IdName[];
}

/** The result of reading one monthly file. */
export interface ParsedMoviesFile {
  /** Valid movies, one per id: a later row of the same id replaces an earlier one. */
  movies: ParsedMovie[];
  /** Data rows read (the header excluded). */
  rowsRead: number;
  /** Refused rows, in all and by reason. */
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** The first refused rows (line and reason only: never their content). */
  rejectedSamples: { line: number; reason: RejectReason }[];
  /** Valid rows dropped because a later row had the same id. */
  duplicatesDropped: number;
}

/** The file is not a `movies_metadata` CSV at all (missing columns): the whole month is refused. */
export class MoviesFileError extends Error {
  override name = 'MoviesFileError';
}

class RowError extends Error {
  constructor(readonly reason: RejectReason) {
    super(reason);
  }
}

const INTEGER = /^\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function text(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function integer(value: string, zeroIsUnknown: boolean): number | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!INTEGER.test(trimmed)) throw new RowError('bad_number');
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n)) throw new RowError('bad_number');
  return zeroIsUnknown && n === 0 ? null : n;
}

function decimal(value: string): number | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!DECIMAL.test(trimmed)) throw new RowError('bad_number');
  return Number(trimmed);
}

function releaseDate(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const match = DATE.exec(trimmed);
  const parsed = match ? new Date(`${trimmed}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== trimmed) throw new RowError('bad_date');
  return trimmed;
}

function idNames(value: string): IdName[] {
  let list: IdName[];
  try {
    list = parseIdNameList(value);
  } catch {
    throw new RowError('bad_list');
  }
  const byId = new Map<number, IdName>();
  for (const entry of list) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  return [...byId.values()];
}

function parseRow(cells: Record<(typeof MOVIES_METADATA_COLUMNS)[number], string>): ParsedMovie {
  const id = cells.id.trim();
  if (!INTEGER.test(id) || !Number.isSafeInteger(Number(id)) || Number(id) === 0) throw new RowError('bad_id');
  const adult = cells.adult.trim();
  if (adult !== 'True' && adult !== 'False') throw new RowError('bad_flag');
  const title = text(cells.title);
  if (title === null) throw new RowError('missing_title');
  const date = releaseDate(cells.release_date);
  const movie: MovieRecord = {
    id: Number(id),
    imdb_id: text(cells.imdb_id),
    title,
    original_title: text(cells.original_title),
    original_language: text(cells.original_language),
    adult: adult === 'True',
    status: text(cells.status),
    release_date: date,
    release_year: date === null ? null : Number(date.slice(0, 4)),
    budget: integer(cells.budget, true),
    revenue: integer(cells.revenue, true),
    runtime: decimal(cells.runtime),
    popularity: decimal(cells.popularity),
    vote_average: decimal(cells.vote_average),
    vote_count: integer(cells.vote_count, false),
  };
  return { movie, genres: idNames(cells.genres), companies: idNames(cells.production_companies) };
}

/**
 * Reads a monthly `movies_metadata` CSV: checks the header, refuses bad rows (shifted rows with a date
 * in the id column, wrong column counts, unparsable numbers, dates or genre/company lists) and keeps the
 * last row of each movie id.
 * @throws MoviesFileError when the header lacks a column, CsvSyntaxError when the CSV is malformed.
 */
export function parseMoviesFile(csvText: string): ParsedMoviesFile {
  const [header, ...records] = parseCsv(csvText);
  if (!header) throw new MoviesFileError('the file is empty');
  const names = header.fields.map((name) => name.trim());
  const missing = MOVIES_METADATA_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) throw new MoviesFileError(`the header lacks the column(s) ${missing.join(', ')}`);
  const position = new Map(MOVIES_METADATA_COLUMNS.map((column) => [column, names.indexOf(column)]));
  const byId = new Map<number, ParsedMovie>();
  const rejectedByReason: ParsedMoviesFile['rejectedByReason'] = {};
  const rejectedSamples: ParsedMoviesFile['rejectedSamples'] = [];
  let rejected = 0;
  let duplicatesDropped = 0;
  for (const record of records) {
    try {
      if (record.fields.length !== names.length) throw new RowError('column_count');
      const cells = Object.fromEntries(MOVIES_METADATA_COLUMNS.map((column) => [column, record.fields[position.get(column) as number] ?? '']));
      const parsed = parseRow(cells as Record<(typeof MOVIES_METADATA_COLUMNS)[number], string>);
      if (byId.delete(parsed.movie.id)) duplicatesDropped++;
      byId.set(parsed.movie.id, parsed);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      rejected++;
      rejectedByReason[error.reason] = (rejectedByReason[error.reason] ?? 0) + 1;
      if (rejectedSamples.length < 20) rejectedSamples.push({ line: record.line, reason: error.reason });
    }
  }
  return { movies: [...byId.values()], rowsRead: records.length, rejected, rejectedByReason, rejectedSamples, duplicatesDropped };
}

/**
 * Generates the sample monthly movies files of the `movies_monthly` example:
 * `examples/data/movies/movies_metadata_2026_08.csv`, `…_2026_09.csv`, `…_2026_10.csv`.
 *
 * Synthetic and deterministic (seeded), in the-movies-dataset's `movies_metadata` layout, with its dirt:
 * genres/companies as Python-literal lists of dicts (double quotes around names with an apostrophe),
 * budget/revenue "0" meaning unknown, popularity as text, empty release dates, duplicated ids, and rows
 * that must be refused (shifted rows with a date in the id column, short rows, a broken list literal, an
 * impossible date, an empty title). Later months revise earlier movies (same id, new revenue and votes)
 * and hold movies of any release year.
 *
 * Run: `npx tsx examples/data/scripts/generate-movies.ts`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCsvRow } from '../../dags/lib/_movies-csv.js';
import { MOVIES_METADATA_COLUMNS } from '../../dags/lib/_movies-rows.js';
import { SeededRandom } from '@sluice/plugin-reddit/testing';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'movies');
const SEED = 20260801;

// The Reddit stand-in's seeded generator (mulberry32): the same seed writes the same bytes.
const seeded = new SeededRandom(SEED);
const random = (): number => seeded.next();
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const chance = (p: number): boolean => random() < p;

const GENRES = [
  [16, 'Animation'], [35, 'Comedy'], [10751, 'Family'], [12, 'Adventure'], [14, 'Fantasy'], [10749, 'Romance'],
  [18, 'Drama'], [28, 'Action'], [80, 'Crime'], [53, 'Thriller'], [27, 'Horror'], [36, 'History'],
  [878, 'Science Fiction'], [9648, 'Mystery'], [10752, 'War'], [10769, 'Foreign'], [10402, 'Music'],
  [99, 'Documentary'], [37, 'Western'], [10770, 'TV Movie'],
] as const;

const COMPANIES = [
  [3, 'Pixar Animation Studios'], [4, 'Paramount Pictures'], [5, 'Columbia Pictures'], [6, 'RKO Radio Pictures'],
  [14, 'Miramax Films'], [25, '20th Century Fox'], [33, 'Universal Pictures'], [174, 'Warner Bros.'],
  [2, 'Walt Disney Pictures'], [1632, 'Lionsgate'], [10342, 'Studio Ghibli'], [882, 'Tōhō Company'],
  [11176, 'Carousel Productions'], [7295, "Po' Boy Productions"], [8411, "Dino De Laurentiis' Company"],
  [9195, "Ain't It Cool Films"], [12345, 'Bob\'s "Big" Pictures'], [804, 'Société Nouvelle de Cinématographie'],
  [7981, 'Pathé, Ltd.'], [1088, 'Gaumont'], [5358, 'Orion Pictures'], [2785, 'Working Title Films'],
  [8537, "Children's Television Workshop"], [41077, 'Village Roadshow Pictures'], [1302, 'Pandora Cinema'],
  [559, 'TriStar Pictures'], [306, 'Twentieth Century Fox Film Corporation'], [7405, 'A24'],
  [3172, 'Blumhouse Productions'], [4171, "Lumière d'Or"],
] as const;

const TITLE_WORDS = ['Midnight', 'River', 'Ghost', 'Summer', 'Glass', 'Iron', 'Silent', 'Red', 'Last', 'City', 'Wolf',
  'Garden', 'Storm', 'Paper', 'Golden', 'Winter', 'Star', 'Shadow', 'Harbor', 'Echo', 'Velvet', 'Lost', 'Bright'];
const TITLE_FORMS = [
  (a: string, b: string) => `${a} ${b}`,
  (a: string, b: string) => `The ${a} ${b}`,
  (a: string) => `${a}'s End`,
  (a: string, b: string) => `${a}, ${b} and Me`,
  (a: string) => `Don't Look ${a}`,
  (a: string, b: string) => `"${a}" ${b}`,
];
const OVERVIEW_PARTS = ['A retired detective returns for one last case', 'Two strangers meet on a night train',
  'In a town where nobody sleeps, a girl hears the river sing', 'The crew of a failing ship, "the Albatross", must choose',
  "A family's secret, kept for fifty years", 'Nobody expected the mayor to win, least of all him'];

/** Python's repr() of a string: single quotes unless the text holds a `'` and no `"`. */
function pyString(value: string): string {
  if (value.includes("'") && !value.includes('"')) return `"${value}"`;
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function idNameList(entries: readonly (readonly [number, string])[], order: 'id-first' | 'name-first'): string {
  const items = entries.map(([id, name]) =>
    order === 'id-first' ? `{'id': ${id}, 'name': ${pyString(name)}}` : `{'name': ${pyString(name)}, 'id': ${id}}`,
  );
  return `[${items.join(', ')}]`;
}

interface Movie {
  id: number;
  title: string;
  releaseDate: string;
  genres: (readonly [number, string])[];
  companies: (readonly [number, string])[];
  budget: number;
  revenue: number;
  runtime: number;
  popularity: number;
  voteAverage: number;
  voteCount: number;
  language: string;
}

const usedIds = new Set<number>();
function newMovie(): Movie {
  let id = int(2, 469_000);
  while (usedIds.has(id)) id = int(2, 469_000);
  usedIds.add(id);
  const year = chance(0.25) ? int(1930, 1979) : int(1980, 2026);
  const releaseDate = chance(0.05) ? '' : `${year}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
  const genreCount = chance(0.06) ? 0 : int(1, 3);
  const genres = Array.from({ length: genreCount }, () => pick(GENRES));
  if (chance(0.03) && genres.length > 0) genres.push(genres[0] as (typeof genres)[number]); // a repeated entry, as in the dataset
  const companies = Array.from({ length: chance(0.1) ? 0 : int(1, 2) }, () => pick(COMPANIES));
  const budget = chance(0.4) ? 0 : int(1, 2000) * 100_000;
  const revenue = chance(0.45) ? 0 : Math.round((budget || int(1, 500) * 100_000) * (0.2 + random() * 4));
  return {
    id,
    title: pick(TITLE_FORMS)(pick(TITLE_WORDS), pick(TITLE_WORDS)),
    releaseDate,
    genres,
    companies,
    budget,
    revenue,
    runtime: int(70, 180),
    popularity: Math.round(random() * 40_000_000) / 1_000_000,
    voteAverage: int(0, 100) / 10,
    voteCount: int(0, 15_000),
    language: pick(['en', 'en', 'en', 'fr', 'ja', 'de', 'es', 'it']),
  };
}

function revise(movie: Movie): Movie {
  const revenue = movie.revenue === 0 ? int(1, 900) * 100_000 : Math.round(movie.revenue * (1 + random()));
  return { ...movie, revenue, voteCount: movie.voteCount + int(1, 500), popularity: Math.round(random() * 40_000_000) / 1_000_000 };
}

function toCells(movie: Movie): string[] {
  const cells: Record<(typeof MOVIES_METADATA_COLUMNS)[number], string> = {
    adult: 'False',
    belongs_to_collection: chance(0.1) ? `{'id': ${movie.id + 1}, 'name': ${pyString(`${movie.title} Collection`)}, 'poster_path': None}` : '',
    budget: String(movie.budget),
    genres: idNameList(movie.genres, 'id-first'),
    homepage: chance(0.3) ? `http://www.example.com/movies/${movie.id}` : '',
    id: String(movie.id),
    imdb_id: `tt${String(movie.id * 7).padStart(7, '0')}`,
    original_language: movie.language,
    original_title: movie.title,
    overview: chance(0.05) ? `${pick(OVERVIEW_PARTS)}.\nThen everything changes.` : `${pick(OVERVIEW_PARTS)}, and ${pick(OVERVIEW_PARTS).toLowerCase()}.`,
    popularity: movie.popularity.toFixed(6),
    poster_path: `/p${movie.id.toString(36)}.jpg`,
    production_companies: idNameList(movie.companies, 'name-first'),
    production_countries: "[{'iso_3166_1': 'US', 'name': 'United States of America'}]",
    release_date: movie.releaseDate,
    revenue: String(movie.revenue),
    runtime: `${movie.runtime}.0`,
    spoken_languages: "[{'iso_639_1': 'en', 'name': 'English'}]",
    status: 'Released',
    tagline: chance(0.5) ? '' : "It's not over.",
    title: movie.title,
    video: 'False',
    vote_average: movie.voteAverage.toFixed(1),
    vote_count: String(movie.voteCount),
  };
  return MOVIES_METADATA_COLUMNS.map((column) => cells[column]);
}

/** The dataset's shifted rows: the cells moved left, so the id column holds a release date. */
function shiftedRow(movie: Movie): string[] {
  const valid = toCells({ ...movie, releaseDate: movie.releaseDate || '1997-08-20' });
  const shifted = [' - Written by Ørnås', ...valid.slice(10)];
  return [...shifted, ...Array.from({ length: MOVIES_METADATA_COLUMNS.length - shifted.length }, () => '')];
}

function badRows(): string[][] {
  const column = (name: (typeof MOVIES_METADATA_COLUMNS)[number]) => MOVIES_METADATA_COLUMNS.indexOf(name);
  const withCell = (name: (typeof MOVIES_METADATA_COLUMNS)[number], value: string): string[] => {
    const cells = toCells(newMovie());
    cells[column(name)] = value;
    return cells;
  };
  return [
    shiftedRow(newMovie()),
    shiftedRow(newMovie()),
    toCells(newMovie()).slice(0, 15), // a row cut short
    withCell('genres', "[{'id': 18, 'name': 'Drama'}, {'id': 35, 'name': 'Com"), // a broken list literal
    withCell('release_date', `2001-02-${30 + int(0, 1)}`), // no such day
    withCell('title', ''),
  ];
}

function writeMonth(month: string, rows: string[][]): void {
  const lines = [formatCsvRow(MOVIES_METADATA_COLUMNS), ...rows.map(formatCsvRow)];
  const file = join(OUT_DIR, `movies_metadata_${month}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  process.stdout.write(`${file}: ${rows.length} rows\n`);
}

/** Shuffles in place (Fisher–Yates, seeded). */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function main(): void {
  mkdirSync(OUT_DIR, { recursive: true });
  const seen: Movie[] = [];
  const plan = [
    { month: '2026_08', fresh: 480, revised: 0 },
    { month: '2026_09', fresh: 320, revised: 120 },
    { month: '2026_10', fresh: 280, revised: 110 },
  ];
  for (const { month, fresh, revised } of plan) {
    const revisions = shuffle([...seen.keys()]).slice(0, revised).map((index) => {
      const next = revise(seen[index] as Movie);
      seen[index] = next;
      return next;
    });
    const added = Array.from({ length: fresh }, () => newMovie());
    seen.push(...added);
    const rows = [...revisions, ...added].map(toCells);
    // Exact duplicate rows (as in the dataset), and one id listed twice with a newer revenue last.
    for (let i = 0; i < 4; i++) rows.push([...(pick(rows) as string[])]);
    const twice = added[0] as Movie;
    const updated = { ...twice, revenue: twice.revenue + 1_000_000 };
    seen[seen.indexOf(twice)] = updated;
    shuffle(rows);
    rows.push(toCells(updated));
    for (const bad of badRows()) rows.splice(int(0, rows.length), 0, bad);
    writeMonth(month, rows);
  }
}

main();

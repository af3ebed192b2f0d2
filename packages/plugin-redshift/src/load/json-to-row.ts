/**
 * Records to COPY rows on Postgres, the way Redshift's COPY reads them: JSON `'auto ignorecase'` (top-level
 * keys matched to column names case-insensitively, missing keys NULL, nested objects and arrays as JSON
 * text), JSONPaths (one path per column), and CSV fields by position. Text longer than a column's width is
 * cut (and counted) or refused, like TRUNCATECOLUMNS.
 */
import { WarehouseLoadError } from '../errors.js';

/** A target column as the mapper sees it (a `WarehouseColumn` fits). */
export interface MappedColumn {
  name: string;
  /** `information_schema` data type, e.g. `integer`, `character varying`, `jsonb`. */
  dataType: string;
  /** Width of a `varchar(n)` / `char(n)` column; `null` when unbounded. */
  maxLength: number | null;
}

/** Where a record came from, for errors. */
export interface RecordPosition {
  /** `s3://bucket/key`. */
  object: string;
  /** 1-based line (the record's last line for multi-line CSV records). */
  line: number;
}

/** Options of {@link RowMapper}. */
export interface RowMapperOptions {
  /** The loaded columns, in COPY order. */
  columns: readonly MappedColumn[];
  /** Text longer than its column: cut it, or fail. */
  longText: 'truncate' | 'fail';
  /** `epochsecs` / `epochmillisecs`: numbers bound for timestamp columns are epoch times. */
  timeFormat?: string | undefined;
  /** JSONPaths, one per column (instead of matching keys to names). */
  jsonPaths?: readonly string[] | undefined;
}

/** A COPY row: one text value or `null` per column. */
export type CopyRow = (string | null)[];

type PathStep = string | number;

/**
 * Parses a JSONPath of the form Redshift's JSONPaths files use: `$.a.b`, `$['a']["b"]`, `$.tags[0]`.
 * @throws RangeError for anything else (filters, wildcards, recursive descent).
 */
export function parseJsonPath(path: string): PathStep[] {
  if (!path.startsWith('$')) throw new RangeError(`JSONPath ${JSON.stringify(path.slice(0, 80))} must start with $`);
  const steps: PathStep[] = [];
  const pattern = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 1;
  while (at < path.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(path);
    if (!match) throw new RangeError(`JSONPath ${JSON.stringify(path.slice(0, 80))} is not supported at character ${at + 1}`);
    if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push((match[1] ?? match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
    at = pattern.lastIndex;
  }
  return steps;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const JSON_TYPES = new Set(['json', 'jsonb', 'super']);
const TEXT_WIDTH_TYPES = new Set(['character varying', 'character', 'varchar', 'char', 'bpchar']);

/** Maps records of one load to COPY rows, counting truncated values. */
export class RowMapper {
  /** Values cut to their column's width so far. */
  truncated = 0;
  private readonly byName = new Map<string, number>();
  private readonly paths: PathStep[][] | undefined;
  private readonly epochScale: number | undefined;

  constructor(private readonly options: RowMapperOptions) {
    options.columns.forEach((column, index) => {
      const folded = column.name.toLowerCase();
      if (!this.byName.has(folded)) this.byName.set(folded, index);
    });
    if (options.jsonPaths !== undefined) {
      if (options.jsonPaths.length !== options.columns.length) {
        throw new RangeError(`the JSONPaths file has ${options.jsonPaths.length} paths for ${options.columns.length} columns`);
      }
      this.paths = options.jsonPaths.map(parseJsonPath);
    }
    this.epochScale = options.timeFormat === 'epochsecs' ? 1000 : options.timeFormat === 'epochmillisecs' ? 1 : undefined;
  }

  /**
   * The row of one parsed JSON record (an object; with JSONPaths an array too).
   * @throws WarehouseLoadError when it is neither, or a value is too long.
   */
  fromJson(record: unknown, at: RecordPosition): CopyRow {
    // With JSONPaths a record may be an array too (`$[0]`), as in Redshift.
    if (!isPlainObject(record) && !(this.paths && Array.isArray(record))) {
      throw new WarehouseLoadError({ ...at, reason: `expected a JSON object, found ${Array.isArray(record) ? 'an array' : typeof record}` });
    }
    const row: CopyRow = new Array<string | null>(this.options.columns.length).fill(null);
    if (this.paths) {
      this.paths.forEach((path, index) => {
        row[index] = this.cell(index, this.follow(record, path), at);
      });
      return row;
    }
    for (const [key, value] of Object.entries(record)) {
      const index = this.byName.get(key.toLowerCase());
      if (index !== undefined) row[index] = this.cell(index, value, at);
    }
    return row;
  }

  /** The row of one CSV record (fields by position; `null` for an unquoted empty field). */
  fromCsv(fields: readonly (string | null)[], at: RecordPosition): CopyRow {
    if (fields.length !== this.options.columns.length) {
      throw new WarehouseLoadError({ ...at, reason: `expected ${this.options.columns.length} fields, found ${fields.length}` });
    }
    return fields.map((field, index) => this.cell(index, field, at));
  }

  private follow(record: unknown, path: readonly PathStep[]): unknown {
    let value: unknown = record;
    for (const step of path) {
      if (typeof step === 'number') value = Array.isArray(value) ? value[step] : undefined;
      else value = isPlainObject(value) ? value[step] : undefined;
      if (value === undefined) return undefined;
    }
    return value;
  }

  private cell(index: number, value: unknown, at: RecordPosition): string | null {
    const column = this.options.columns[index] as MappedColumn;
    if (value === null || value === undefined) return null;
    if (JSON_TYPES.has(column.dataType.toLowerCase())) return JSON.stringify(value);
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' && this.epochScale !== undefined && column.dataType.startsWith('timestamp')) {
      text = new Date(value * this.epochScale).toISOString();
    } else if (typeof value === 'object') text = JSON.stringify(value);
    else text = String(value);
    return this.fit(column, text, at);
  }

  private fit(column: MappedColumn, text: string, at: RecordPosition): string {
    if (column.maxLength === null || !TEXT_WIDTH_TYPES.has(column.dataType.toLowerCase())) return text;
    const chars = [...text];
    if (chars.length <= column.maxLength) return text;
    if (this.options.longText === 'fail') {
      throw new WarehouseLoadError({
        ...at,
        column: column.name,
        reason: `value of ${chars.length} characters is longer than ${column.dataType}(${column.maxLength})`,
      });
    }
    this.truncated += 1;
    return chars.slice(0, column.maxLength).join('');
  }
}

/**
 * One COPY text-format line for `row`: tab-separated, `\N` for NULL, backslash, tab, newline and carriage
 * return escaped.
 */
export function copyTextLine(row: readonly (string | null)[]): string {
  return (
    row
      .map((value) =>
        value === null ? '\\N' : value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'),
      )
      .join('\t') + '\n'
  );
}

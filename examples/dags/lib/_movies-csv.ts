/**
 * RFC 4180 CSV reading and writing for the movies pipeline: quoted fields with `""` escapes, commas and
 * line breaks inside quotes, LF or CRLF line ends. (DAG files import only the core, the plugins, zod and
 * node builtins, so this small reader stands in for csv-parse.) A helper module: its name starts with `_`.
 */

/** The text is not well-formed CSV (a quote in the middle of an unquoted field, an unterminated quote). */
export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  constructor(
    message: string,
    /** 1-based line where the problem is. */
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

/** One record and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits CSV text into records. A quote inside an unquoted field is kept as a character (the way the
 * Kaggle file's loose rows read in pandas); an unterminated quoted field throws {@link CsvSyntaxError}.
 * Blank lines are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let fieldStarted = false;
  const endField = (): void => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvSyntaxError('unterminated quoted field', recordLine);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Quotes a field when it holds a comma, a quote or a line break. */
export function formatCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line (without its line end). */
export function formatCsvRow(values: readonly string[]): string {
  return values.map(formatCsvField).join(',');
}

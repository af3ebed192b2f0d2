/**
 * A small parser for the Python literals found in the-movies-dataset's `movies_metadata.csv`: the
 * `genres`, `production_companies`, `production_countries`, `spoken_languages` and `belongs_to_collection`
 * cells hold `repr()` output of Python lists and dicts, e.g. `[{'id': 16, 'name': 'Animation'}]`, with
 * double quotes around names that contain an apostrophe (`"Po' Boy Productions"`). JSON.parse cannot read
 * these and a regex breaks on the quotes, so this is a recursive-descent reader for the literal subset
 * Python prints: lists, tuples, dicts, strings (both quotes, backslash escapes, `u`/`r`/`b` prefixes),
 * integers, floats, True, False, None. It never evaluates anything.
 *
 * The file name starts with `_`, so the DAG folder loader treats it as a helper, not a DAG file.
 */

/** A parsed Python literal. */
export type PythonValue = null | boolean | number | string | PythonValue[] | { [key: string]: PythonValue };

/** The text is not a Python literal of the supported subset; `position` is the 0-based offset. */
export class PythonLiteralError extends Error {
  override name = 'PythonLiteralError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at offset ${position}`);
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '0': '\0',
};

/** Maximum nesting, so a hostile cell cannot exhaust the stack. */
const MAX_DEPTH = 32;

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): PythonValue {
    const value = this.value(0);
    this.skipSpace();
    if (this.pos !== this.text.length) throw new PythonLiteralError('unexpected trailing text', this.pos);
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  private value(depth: number): PythonValue {
    if (depth > MAX_DEPTH) throw new PythonLiteralError('nesting too deep', this.pos);
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) throw new PythonLiteralError('unexpected end of text', this.pos);
    if (c === '[') return this.sequence(']', depth);
    if (c === '(') return this.sequence(')', depth);
    if (c === '{') return this.dict(depth);
    if (c === "'" || c === '"') return this.string('');
    const prefix = /^[uUrRbB]{1,2}(?=['"])/.exec(this.text.slice(this.pos, this.pos + 3));
    if (prefix) {
      this.pos += prefix[0].length;
      return this.string(prefix[0].toLowerCase());
    }
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, result] of [['True', true], ['False', false], ['None', null]] as const) {
      if (this.text.startsWith(word, this.pos) && !/\w/.test(this.text[this.pos + word.length] ?? '')) {
        this.pos += word.length;
        return result;
      }
    }
    throw new PythonLiteralError(`unexpected character ${JSON.stringify(c)}`, this.pos);
  }

  private sequence(close: ']' | ')', depth: number): PythonValue[] {
    this.pos++; // the opening bracket
    const items: PythonValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ',') this.pos++;
      else if (next !== close) throw new PythonLiteralError(`expected ',' or '${close}'`, this.pos);
    }
  }

  private dict(depth: number): { [key: string]: PythonValue } {
    this.pos++; // '{'
    const entries: { [key: string]: PythonValue } = Object.create(null) as { [key: string]: PythonValue };
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { ...entries };
      }
      const keyAt = this.pos;
      const key = this.value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number') throw new PythonLiteralError('dict keys must be strings or numbers', keyAt);
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw new PythonLiteralError("expected ':'", this.pos);
      this.pos++;
      entries[String(key)] = this.value(depth + 1);
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ',') this.pos++;
      else if (next !== '}') throw new PythonLiteralError("expected ',' or '}'", this.pos);
    }
  }

  private string(prefix: string): string {
    const quote = this.text[this.pos] as string;
    const raw = prefix.includes('r');
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    const delimiter = triple ? quote.repeat(3) : quote;
    this.pos += delimiter.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new PythonLiteralError('unterminated string', this.pos);
      if (this.text.startsWith(delimiter, this.pos)) {
        this.pos += delimiter.length;
        return out;
      }
      const c = this.text[this.pos] as string;
      if (c === '\n' && !triple) throw new PythonLiteralError('newline in string', this.pos);
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      if (e === undefined) throw new PythonLiteralError('unterminated escape', this.pos);
      if (raw) {
        out += c + e;
        this.pos += 2;
        continue;
      }
      this.pos += 2;
      if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
      else if (e === '\n') continue;
      else if (e === 'x') out += this.codePoint(2);
      else if (e === 'u') out += this.codePoint(4);
      else if (e === 'U') out += this.codePoint(8);
      else out += `\\${e}`; // Python keeps unknown escapes as written
    }
  }

  private codePoint(digits: number): string {
    const hex = this.text.slice(this.pos, this.pos + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) throw new PythonLiteralError('bad escape', this.pos);
    this.pos += digits;
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff) throw new PythonLiteralError('bad code point', this.pos - digits);
    return String.fromCodePoint(code);
  }

  private number(): number {
    const match = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (!match) throw new PythonLiteralError('bad number', this.pos);
    this.pos += match[0].length;
    const value = Number(match[0].replaceAll('_', ''));
    if (!Number.isFinite(value)) throw new PythonLiteralError('bad number', this.pos - match[0].length);
    return value;
  }
}

/**
 * Parses one Python literal (`repr()` output of lists, tuples, dicts, strings, numbers, True/False/None).
 * Tuples become arrays; dict keys become strings.
 * @throws PythonLiteralError naming the offset of the first problem.
 */
export function parsePythonLiteral(text: string): PythonValue {
  return new Reader(text).parseDocument();
}

/** One `{'id': …, 'name': …}` entry of a `genres` / `production_companies` cell. */
export interface IdName {
  id: number;
  name: string;
}

/**
 * Reads a list-of-dicts cell into `{ id, name }` pairs (an empty cell is an empty list). Throws
 * {@link PythonLiteralError} for text that is not such a list: an entry without an integer `id` or a
 * non-empty string `name`, or anything that is not a list.
 */
export function parseIdNameList(cell: string): IdName[] {
  if (cell.trim() === '') return [];
  const value = parsePythonLiteral(cell);
  if (!Array.isArray(value)) throw new PythonLiteralError('expected a list', 0);
  return value.map((entry, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new PythonLiteralError(`entry ${index} is not a dict`, 0);
    const { id, name } = entry;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new PythonLiteralError(`entry ${index} has no integer 'id'`, 0);
    if (typeof name !== 'string' || name.trim() === '') throw new PythonLiteralError(`entry ${index} has no 'name'`, 0);
    return { id, name: name.trim() };
  });
}

/** The tokenizer of template expressions, and the positioned TemplateError both parser and renderer use. */
import { TemplateError } from '../errors.js';

/** Builds a TemplateError naming the position (line and column) and the template text (around it, if long). */
export function templateError(template: string, pos: number, message: string): TemplateError {
  const before = template.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  const from = template.length > 160 ? Math.max(0, pos - 60) : 0;
  const to = Math.min(template.length, from + 160);
  const shown = `${from > 0 ? '...' : ''}${template.slice(from, to)}${to < template.length ? '...' : ''}`;
  return new TemplateError(`${message} (line ${line}, column ${column} of template ${JSON.stringify(shown)})`);
}

/** Kinds of expression tokens (punctuation tokens are their own character). */
export type TokenType = 'name' | 'number' | 'string' | '.' | '|' | '(' | ')' | ',' | '[' | ']';
/** One expression token and where it starts in the template. */
export interface Token {
  type: TokenType;
  value: string;
  pos: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const STRING_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
]);

/**
 * Lexes one expression starting at `start` (just after `{{`/`{{-`) up to and including `}}`/`-}}`;
 * `open` is where the `{{` is, for the "unclosed" error. `end` is the index after the closing braces.
 */
export function lexExpression(
  template: string,
  start: number,
  open: number,
): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  let i = start;
  for (;;) {
    const ch = template[i];
    if (ch === undefined) throw templateError(template, open, "unclosed '{{' (expected '}}')");
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (template.startsWith('}}', i)) {
      return { tokens, end: i + 2, trimAfter: false };
    } else if (template.startsWith('-}}', i)) {
      return { tokens, end: i + 3, trimAfter: true };
    } else if (NAME_START.test(ch)) {
      let j = i + 1;
      while (j < template.length && NAME_PART.test(template[j] ?? '')) j++;
      tokens.push({ type: 'name', value: template.slice(i, j), pos: i });
      i = j;
    } else if (DIGIT.test(ch) || (ch === '-' && DIGIT.test(template[i + 1] ?? ''))) {
      let j = i + 1;
      while (DIGIT.test(template[j] ?? '')) j++;
      const afterDot = tokens[tokens.length - 1]?.type === '.';
      if (!afterDot && template[j] === '.' && DIGIT.test(template[j + 1] ?? '')) {
        j += 2;
        while (DIGIT.test(template[j] ?? '')) j++;
      }
      tokens.push({ type: 'number', value: template.slice(i, j), pos: i });
      i = j;
    } else if (ch === "'" || ch === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const c = template[j];
        if (c === undefined) throw templateError(template, i, 'unterminated string literal');
        if (c === ch) break;
        if (c === '\\' && j + 1 < template.length) {
          const next = template[j + 1] ?? '';
          value += STRING_ESCAPES.get(next) ?? next;
          j += 2;
        } else {
          value += c;
          j++;
        }
      }
      tokens.push({ type: 'string', value, pos: i });
      i = j + 1;
    } else if ('.|(),[]'.includes(ch)) {
      tokens.push({ type: ch as TokenType, value: ch, pos: i });
      i++;
    } else {
      throw templateError(template, i, `unexpected character ${JSON.stringify(ch)} in expression`);
    }
  }
}

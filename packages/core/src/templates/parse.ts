/**
 * Hand-written scanner and parser for Sluice templates. Grammar inside `{{ … }}`:
 *
 * ```
 * expression := operand ( '|' filter )*
 * filter     := NAME ( '(' ( operand ( ',' operand )* )? ')' )?
 * operand    := STRING | NUMBER | true | false | none | path
 * path       := NAME ( '.' ( NAME | INTEGER ) | '[' ( STRING | INTEGER ) ']' )*
 * ```
 *
 * There are no calls, operators or statements; unknown roots and filters are rejected at parse time.
 */
import { FILTERS } from './filters.js';
import { lexExpression, templateError, type Token, type TokenType } from './lexer.js';

/** The roots a template path may start with. */
export const TEMPLATE_ROOTS: ReadonlySet<string> = new Set([
  'ds',
  'ds_nodash',
  'ts',
  'ts_nodash',
  'logical_date',
  'data_interval_start',
  'data_interval_end',
  'run_id',
  'dag_id',
  'task_id',
  'params',
  'var',
]);

const BLOCKED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const KEYWORDS: ReadonlyMap<string, boolean | null> = new Map<string, boolean | null>([
  ['true', true],
  ['True', true],
  ['false', false],
  ['False', false],
  ['none', null],
  ['None', null],
  ['null', null],
]);

/** A literal operand. */
export interface LiteralNode {
  kind: 'literal';
  value: string | number | boolean | null;
  pos: number;
}
/** A dotted/bracketed path over the vocabulary; `text` is how it was written, for messages. */
export interface PathNode {
  kind: 'path';
  root: string;
  keys: (string | number)[];
  text: string;
  pos: number;
}
/** A literal or a path. */
export type OperandNode = LiteralNode | PathNode;
/** One `| name(args)` filter application. */
export interface FilterNode {
  name: string;
  args: OperandNode[];
  pos: number;
}
/** One `{{ … }}` expression. */
export interface ExpressionNode {
  operand: OperandNode;
  filters: FilterNode[];
  pos: number;
}
/** A parsed template: literal text and expressions, in order. */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expression'; expression: ExpressionNode };

/** Recursive-descent parser over one expression's tokens. */
class ExpressionParser {
  private index = 0;
  constructor(
    private readonly template: string,
    private readonly tokens: Token[],
    private readonly endPos: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }
  private fail(message: string, token = this.peek()): never {
    throw templateError(this.template, token?.pos ?? this.endPos, message);
  }
  private expect(type: TokenType, what: string): Token {
    const token = this.peek();
    if (token?.type !== type) this.fail(`expected ${what}${token ? ` but found '${token.value}'` : ''}`);
    this.index++;
    return token;
  }

  parse(pos: number): ExpressionNode {
    if (this.tokens.length === 0) this.fail('empty expression');
    const operand = this.operand();
    const filters: FilterNode[] = [];
    while (this.peek()?.type === '|') {
      this.index++;
      filters.push(this.filter());
    }
    const rest = this.peek();
    if (rest?.type === '(') this.fail('function calls are not allowed in templates');
    if (rest) this.fail(`unexpected '${rest.value}'`);
    return { operand, filters, pos };
  }

  private filter(): FilterNode {
    const nameToken = this.expect('name', 'a filter name after |');
    const spec = FILTERS.get(nameToken.value);
    if (!spec) this.fail(`unknown filter '${nameToken.value}' (known: ${[...FILTERS.keys()].join(', ')})`, nameToken);
    const args: OperandNode[] = [];
    if (this.peek()?.type === '(') {
      this.index++;
      if (this.peek()?.type !== ')') {
        args.push(this.operand());
        while (this.peek()?.type === ',') {
          this.index++;
          args.push(this.operand());
        }
      }
      this.expect(')', "')' or ','");
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const range = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
      this.fail(`filter '${nameToken.value}' takes ${range} argument(s), got ${args.length}`, nameToken);
    }
    return { name: nameToken.value, args, pos: nameToken.pos };
  }

  private operand(): OperandNode {
    const token = this.peek();
    if (!token) this.fail('expected a value');
    if (token.type === 'string') {
      this.index++;
      return { kind: 'literal', value: token.value, pos: token.pos };
    }
    if (token.type === 'number') {
      this.index++;
      return { kind: 'literal', value: Number(token.value), pos: token.pos };
    }
    if (token.type !== 'name') this.fail(`expected a value but found '${token.value}'`);
    this.index++;
    const keyword = KEYWORDS.get(token.value);
    if (keyword !== undefined) return { kind: 'literal', value: keyword, pos: token.pos };
    this.checkKey(token);
    if (!TEMPLATE_ROOTS.has(token.value)) {
      this.fail(`unknown variable '${token.value}' (known: ${[...TEMPLATE_ROOTS].join(', ')})`, token);
    }
    return this.path(token);
  }

  private path(root: Token): PathNode {
    const keys: (string | number)[] = [];
    let text = root.value;
    for (;;) {
      const token = this.peek();
      if (token?.type === '.') {
        this.index++;
        const key = this.peek();
        if (key?.type === 'name') {
          this.checkKey(key);
          keys.push(key.value);
        } else if (key?.type === 'number' && /^\d+$/.test(key.value)) {
          keys.push(Number(key.value));
        } else {
          this.fail("expected a name after '.'");
        }
        this.index++;
        text += `.${key.value}`;
      } else if (token?.type === '[') {
        this.index++;
        const key = this.peek();
        if (key?.type === 'string') {
          this.checkKey(key);
          keys.push(key.value);
          text += `[${JSON.stringify(key.value)}]`;
        } else if (key?.type === 'number' && /^\d+$/.test(key.value)) {
          keys.push(Number(key.value));
          text += `[${key.value}]`;
        } else {
          this.fail("expected a string or an index inside '[ ]'");
        }
        this.index++;
        this.expect(']', "']'");
      } else {
        return { kind: 'path', root: root.value, keys, text, pos: root.pos };
      }
    }
  }

  private checkKey(token: Token): void {
    if (BLOCKED_KEYS.has(token.value) || token.value.startsWith('__')) {
      this.fail(`access to '${token.value}' is not allowed`, token);
    }
  }
}

const RAW_OPEN = /\{%-?\s*raw\s*-?%\}/y;
const RAW_CLOSE = /\{%-?\s*endraw\s*-?%\}/g;

/**
 * Parses a template into text and expression parts. Supports `{{ expr }}` with Jinja's whitespace
 * control (`{{-` trims whitespace before, `-}}` after), comments `{# … #}`, and `{% raw %}…{% endraw %}`
 * (or a string literal such as `{{ '{{' }}`) to output braces literally. Any other `{% … %}` statement is
 * a TemplateError: templates have no control flow.
 */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  while (i < template.length) {
    const next = template.indexOf('{', i);
    if (next < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, next);
    i = next;
    const kind = template[i + 1];
    if (kind === '{') {
      let start = i + 2;
      if (template[start] === '-') {
        start++;
        text = text.trimEnd();
      }
      flush();
      const { tokens, end, trimAfter } = lexExpression(template, start, i);
      const expression = new ExpressionParser(template, tokens, end - 2).parse(i);
      parts.push({ kind: 'expression', expression });
      i = end;
      if (trimAfter) while (i < template.length && /\s/.test(template[i] ?? '')) i++;
    } else if (kind === '#') {
      const end = template.indexOf('#}', i + 2);
      if (end < 0) throw templateError(template, i, "unclosed comment '{#' (expected '#}')");
      i = end + 2;
    } else if (kind === '%') {
      RAW_OPEN.lastIndex = i;
      const open = RAW_OPEN.exec(template);
      if (!open) throw templateError(template, i, "statements '{% … %}' are not supported; use {{ expressions }}");
      RAW_CLOSE.lastIndex = i + open[0].length;
      const close = RAW_CLOSE.exec(template);
      if (!close) throw templateError(template, i, "unclosed '{% raw %}' (expected '{% endraw %}')");
      text += template.slice(i + open[0].length, close.index);
      i = close.index + close[0].length;
    } else {
      text += '{';
      i++;
    }
  }
  flush();
  return parts;
}

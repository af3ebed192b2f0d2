/**
 * `redshift.sql`: runs templated SQL (transform steps) on a warehouse, all statements in one transaction
 * by default, with parameters bound (`$1`, `$2`, … on the wire), never interpolated. Also holds the small
 * SQL text scanner that splits statements and finds placeholders outside literals and comments.
 */
import { defineOperator, type TaskContext } from '@sluice/core';
import { z } from 'zod';
import { DEFAULT_WAREHOUSE_CONNECTION_ID } from '../connection.js';
import { WarehouseError, WarehouseQueryError } from '../errors.js';
import { WarehouseHook, type WarehouseClient } from '../hook.js';

/**
 * `sql` with every string literal, quoted identifier, dollar-quoted body and comment blanked out
 * (same length, newlines kept), so placeholders and `;` can be found with plain searches.
 */
export function maskSql(sql: string): string {
  const out = sql.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const closeQuote = (from: number, quote: string, backslashes: boolean): number => {
    let j = from;
    while (j < sql.length) {
      if (backslashes && sql[j] === '\\') j += 2;
      else if (sql[j] === quote && sql[j + 1] === quote) j += 2;
      else if (sql[j] === quote) return j + 1;
      else j++;
    }
    return sql.length;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    let end = -1;
    if (c === '-' && next === '-') {
      end = sql.indexOf('\n', i);
      if (end === -1) end = sql.length;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      end = i + 2;
      while (end < sql.length && depth > 0) {
        if (sql.startsWith('/*', end)) {
          depth++;
          end += 2;
        } else if (sql.startsWith('*/', end)) {
          depth--;
          end += 2;
        } else {
          end++;
        }
      }
    } else if (c === "'") {
      const escapes = /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      end = closeQuote(i + 1, "'", escapes);
    } else if (c === '"') {
      end = closeQuote(i + 1, '"', false);
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        end = close === -1 ? sql.length : close + tag.length;
      }
    }
    if (end === -1) {
      i++;
    } else {
      blank(i, end);
      i = end;
    }
  }
  return out.join('');
}

/**
 * Splits SQL text on top-level `;` (not inside literals, quoted identifiers, dollar quotes or comments);
 * empty and comment-only pieces are dropped. For a body holding bare `;` (e.g. `BEGIN ATOMIC … END`),
 * pass the statements as an array instead.
 */
export function splitStatements(sql: string): string[] {
  const mask = maskSql(sql);
  const statements: string[] = [];
  let start = 0;
  for (let i = 0; i <= sql.length; i++) {
    if (i < sql.length && mask[i] !== ';') continue;
    if (mask.slice(start, i).trim() !== '') statements.push(sql.slice(start, i).trim());
    start = i + 1;
  }
  return statements;
}

/** A value bound to a placeholder: a scalar or an array of scalars (bound as a Postgres array). */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const parameterValue = z.union([scalar, z.array(scalar)]);

/** Template variables whose values a run's trigger controls: never rendered into SQL text. */
const UNSAFE_TEMPLATE_ROOTS = /\b(params|var|run_id)\b/;

/** Fields of {@link sqlOperator}. */
export const sqlOperatorFields = z.object({
  connId: z.string().min(1).default(DEFAULT_WAREHOUSE_CONNECTION_ID),
  /**
   * SQL text (split on top-level `;`) or an array of statements, run in order. Templates may use the
   * run's dates (`{{ ds }}`, `{{ ds_nodash }}`, `{{ data_interval_start }}` …) e.g. in table names, but
   * not `params`, `var` or `run_id`: pass those as `parameters`, so they are bound, never interpolated.
   */
  sql: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .superRefine((value, issue) => {
      for (const text of Array.isArray(value) ? value : [value]) {
        for (const tag of text.matchAll(/\{[{%]([\s\S]*?)[}%]\}/g)) {
          if (UNSAFE_TEMPLATE_ROOTS.test(tag[1] ?? '')) {
            issue.addIssue({ code: 'custom', message: `template ${tag[0].slice(0, 60)} would interpolate a value into SQL: bind it through 'parameters' instead` });
            return;
          }
        }
      }
    }),
  /**
   * Values bound to placeholders (templates allowed, e.g. `'{{ params.day }}'`). Either an array for
   * positional `$1`, `$2` … placeholders, or an object for named `:name` placeholders. Postgres and
   * Redshift only bind positionally, so named placeholders are rewritten to `$n` per statement (each name
   * gets one position, repeats share it) by a scanner that skips literals, quoted identifiers, dollar
   * quotes, comments and `::` casts. Named parameters are the readable choice for long transforms;
   * positional ones match the wire protocol one to one.
   */
  parameters: z.union([z.array(parameterValue), z.record(z.string().regex(/^[A-Za-z_]\w*$/), parameterValue)]).optional(),
  /** `false` (default): all statements in one transaction, rolled back together on failure. `true`: each commits on its own. */
  autocommit: z.boolean().default(false),
});

/** What one statement did. */
export interface StatementResult {
  /** 0-based index of the statement. */
  index: number;
  /** Command tag verb, e.g. `INSERT`, `DELETE`, `CREATE`. */
  command: string;
  /** Rows affected (or returned, for SELECT). */
  rowCount: number;
}

/** Output of {@link sqlOperator}. */
export interface SqlOperatorOutput {
  statements: StatementResult[];
  /** Sum of the statements' row counts. */
  totalRowCount: number;
}

type Parameters = z.output<typeof sqlOperatorFields>['parameters'];

/** A statement with its placeholders made positional and the values to bind (`undefined`: none). */
export function bindStatement(text: string, parameters: Parameters, index = 0): { text: string; values: unknown[] | undefined } {
  const mask = maskSql(text);
  const named = [...mask.matchAll(/(?<![:\w$]):([A-Za-z_]\w*)/g)];
  const positional = [...mask.matchAll(/(?<![\w$])\$(\d+)/g)].map((m) => Number(m[1]));
  const where = `statement ${index}`;
  if (parameters === undefined || Array.isArray(parameters)) {
    // `:word` is left alone here: without named parameters it is SQL (e.g. an array slice `a[lo:hi]`).
    const highest = Math.max(0, ...positional);
    const given = parameters?.length ?? 0;
    if (highest > given) throw new WarehouseError(`${where}: uses $${highest} but ${given} parameter(s) were given`);
    return { text, values: parameters === undefined ? undefined : parameters.slice(0, highest) };
  }
  if (positional.length > 0) throw new WarehouseError(`${where}: uses $${positional[0]} but 'parameters' is an object: use :name placeholders`);
  const order: string[] = [];
  let rewritten = '';
  let last = 0;
  for (const match of named) {
    const name = match[1] as string;
    if (!Object.hasOwn(parameters, name)) {
      throw new WarehouseError(`${where}: parameter :${name} is not in 'parameters' (given: ${Object.keys(parameters).join(', ') || 'none'})`);
    }
    if (!order.includes(name)) order.push(name);
    rewritten += `${text.slice(last, match.index)}$${order.indexOf(name) + 1}`;
    last = match.index + match[0].length;
  }
  return { text: rewritten + text.slice(last), values: order.map((name) => parameters[name]) };
}

async function runStatements(
  client: WarehouseClient,
  statements: readonly { text: string; values: unknown[] | undefined }[],
  ctx: TaskContext,
  autocommit: boolean,
): Promise<StatementResult[]> {
  const results: StatementResult[] = [];
  for (const [index, statement] of statements.entries()) {
    ctx.signal.throwIfAborted();
    try {
      const result = await client.query(statement.text, statement.values);
      results.push({ index, command: result.command ?? '', rowCount: result.rowCount });
      ctx.log.info('statement done', { index, command: result.command, rowCount: result.rowCount });
    } catch (error) {
      if (!(error instanceof WarehouseQueryError)) throw error;
      const effect = autocommit
        ? index === 0 ? 'nothing was committed' : `statements 0–${index - 1} stay committed`
        : 'the transaction was rolled back';
      throw new WarehouseQueryError(
        `statement ${index} of ${statements.length} failed (${effect}): ${error.message}`,
        { code: error.code, position: error.position, statementIndex: index, detail: error.detail },
        { cause: error },
      );
    }
  }
  return results;
}

/**
 * Runs SQL on a warehouse: statements in order, in one transaction unless `autocommit`. A failing
 * statement rolls back everything and fails the task with a {@link WarehouseQueryError} naming the
 * statement index and SQLSTATE. Outputs each statement's command and row count, and the total.
 *
 * ```ts
 * d.task('transform', sqlOperator({
 *   sql: `DELETE FROM analytics.daily WHERE day = :day;
 *         INSERT INTO analytics.daily SELECT :day, count(*) FROM staging.events WHERE dt = :day`,
 *   parameters: { day: '{{ ds }}' },
 * }));
 * ```
 */
export const sqlOperator = defineOperator({
  name: 'redshift.sql',
  fields: sqlOperatorFields,
  templateFields: ['sql', 'parameters'],
  async execute(ctx, fields): Promise<SqlOperatorOutput> {
    const texts = Array.isArray(fields.sql) ? fields.sql.map((s) => s.trim()) : splitStatements(fields.sql);
    if (texts.length === 0) throw new WarehouseError(`'sql' holds no statement`);
    const statements = texts.map((text, index) => bindStatement(text, fields.parameters, index));
    const hook = await WarehouseHook.fromContext(ctx, fields.connId, { poolMax: 1 });
    try {
      const results = fields.autocommit
        ? await hook.withClient((client) => runStatements(client, statements, ctx, true), { signal: ctx.signal })
        : await hook.transaction((client) => runStatements(client, statements, ctx, false), { signal: ctx.signal });
      return { statements: results, totalRowCount: results.reduce((sum, r) => sum + r.rowCount, 0) };
    } finally {
      await hook.close();
    }
  },
});

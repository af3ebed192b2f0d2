/**
 * Safe templates over the fixed run vocabulary (semantics.md, "Run context and templates"). A template
 * is parsed by a hand-written parser and evaluated by walking plain data; it can never run code, and
 * values it prints are never rendered again.
 */
import { TemplateError } from '../errors.js';
import { formatDatePattern, formatDs, formatTs, formatTsNodash, isValidDate } from './dates.js';
import { FILTERS } from './filters.js';
import { templateError } from './lexer.js';
import { type ExpressionNode, type OperandNode, type PathNode, type TemplatePart, parseTemplate } from './parse.js';
import { TemplateValueError, UndefinedValue, readOwnKey, toText } from './values.js';

/** The values a template can read (Airflow's names). Dates are UTC instants. */
export interface TemplateVariables {
  /** Logical date as `YYYY-MM-DD` (UTC). */
  ds: string;
  /** Logical date as `YYYYMMDD` (UTC). */
  ds_nodash: string;
  /** Logical date as ISO 8601 with offset, `2026-01-01T00:00:00+00:00`. */
  ts: string;
  /** Logical date as `YYYYMMDDTHHmmss` (UTC). */
  ts_nodash: string;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  run_id: string;
  dag_id: string;
  task_id: string;
  /** The run's params, read with `params.a.b` / `params['a-b']`. */
  params: Record<string, unknown>;
}

/** Where `var.*` reads variables from (normally the secrets resolver chain). */
export interface TemplateLookups {
  /** The variable's value, or `undefined` when no backend has it. */
  variable(key: string): Promise<string | undefined>;
}

/** Inputs of {@link buildTemplateVariables}, as a task context carries them. */
export interface TemplateVariablesInput {
  dagId: string;
  runId: string;
  taskId: string;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  params: Record<string, unknown>;
}

/** Builds the template vocabulary of one task in one run; every date string is in UTC. */
export function buildTemplateVariables(input: TemplateVariablesInput): TemplateVariables {
  for (const field of ['logicalDate', 'dataIntervalStart', 'dataIntervalEnd'] as const) {
    if (!isValidDate(input[field])) throw new TemplateError(`template variables: ${field} is not a valid date`);
  }
  const logical = input.logicalDate;
  return {
    ds: formatDs(logical),
    ds_nodash: formatDatePattern(logical, 'YYYYMMDD'),
    ts: formatTs(logical),
    ts_nodash: formatTsNodash(logical),
    logical_date: new Date(logical.getTime()),
    data_interval_start: new Date(input.dataIntervalStart.getTime()),
    data_interval_end: new Date(input.dataIntervalEnd.getTime()),
    run_id: input.runId,
    dag_id: input.dagId,
    task_id: input.taskId,
    params: input.params,
  };
}

const PARSE_CACHE_LIMIT = 500;
const parseCache = new Map<string, TemplatePart[]>();

function parseCached(template: string): TemplatePart[] {
  const cached = parseCache.get(template);
  if (cached) return cached;
  const parts = parseTemplate(template);
  if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
  parseCache.set(template, parts);
  return parts;
}

/**
 * Checks a template's syntax, variables and filters without rendering it (e.g. when a DAG file loads).
 * @throws TemplateError naming the position and the template text.
 */
export function validateTemplate(template: string): void {
  parseCached(template);
}

/** State of one render: the inputs, and variables already looked up. */
interface RenderScope {
  template: string;
  vars: TemplateVariables;
  lookups: TemplateLookups;
  variables: Map<string, Promise<string | undefined>>;
}

/**
 * Renders `template` over `vars`. Syntax: `{{ path | filter(arg) | … }}` where a path is one of `ds`,
 * `ds_nodash`, `ts`, `ts_nodash`, `logical_date`, `data_interval_start`, `data_interval_end`, `run_id`,
 * `dag_id`, `task_id`, `params.a.b`, `var.value.NAME`, `var.json.NAME.path` or `var.NAME`; filters are
 * listed in `filters.ts`. A missing value is an error unless `| default(…)` supplies one. Output is
 * produced in a single pass: nothing a value contains is ever rendered as a template.
 * @throws TemplateError for malformed templates, unknown variables or filters, and unusable values.
 */
export async function renderTemplate(template: string, vars: TemplateVariables, lookups: TemplateLookups): Promise<string> {
  if (typeof template !== 'string') throw new TemplateError('template must be a string');
  const parts = parseCached(template);
  const scope: RenderScope = { template, vars, lookups, variables: new Map() };
  let out = '';
  for (const part of parts) {
    out += part.kind === 'text' ? part.text : await renderExpression(scope, part.expression);
  }
  return out;
}

async function renderExpression(scope: RenderScope, expression: ExpressionNode): Promise<string> {
  let pos = expression.operand.pos;
  try {
    let value = await evaluateOperand(scope, expression.operand);
    for (const filter of expression.filters) {
      pos = filter.pos;
      const spec = FILTERS.get(filter.name);
      if (!spec) throw new TemplateValueError(`unknown filter '${filter.name}'`);
      const args: unknown[] = [];
      for (const arg of filter.args) args.push(await evaluateOperand(scope, arg));
      if (!spec.acceptsUndefined) {
        const missing = [value, ...args].find((v): v is UndefinedValue => v instanceof UndefinedValue);
        if (missing) {
          throw new TemplateValueError(`'${missing.path}' is undefined (filter '${filter.name}'; use | default('…'))`);
        }
      }
      value = spec.apply(value, args);
    }
    return toText(value);
  } catch (error) {
    if (error instanceof TemplateValueError) throw templateError(scope.template, pos, error.message);
    throw error;
  }
}

async function evaluateOperand(scope: RenderScope, operand: OperandNode): Promise<unknown> {
  if (operand.kind === 'literal') return operand.value;
  return operand.root === 'var' ? evaluateVariablePath(scope, operand) : walk(rootValue(scope.vars, operand.root), operand.keys, operand.text);
}

function rootValue(vars: TemplateVariables, root: string): unknown {
  switch (root) {
    case 'ds':
      return vars.ds;
    case 'ds_nodash':
      return vars.ds_nodash;
    case 'ts':
      return vars.ts;
    case 'ts_nodash':
      return vars.ts_nodash;
    case 'logical_date':
      return vars.logical_date;
    case 'data_interval_start':
      return vars.data_interval_start;
    case 'data_interval_end':
      return vars.data_interval_end;
    case 'run_id':
      return vars.run_id;
    case 'dag_id':
      return vars.dag_id;
    case 'task_id':
      return vars.task_id;
    case 'params':
      return vars.params;
    default:
      throw new TemplateValueError(`unknown variable '${root}'`);
  }
}

function walk(start: unknown, keys: readonly (string | number)[], path: string): unknown {
  let value = start;
  for (const key of keys) {
    value = readOwnKey(value, key);
    if (value === undefined) return new UndefinedValue(path);
  }
  return value === undefined ? new UndefinedValue(path) : value;
}

/** `var.value.NAME`, `var.json.NAME.path…` and the short form `var.NAME`. */
async function evaluateVariablePath(scope: RenderScope, path: PathNode): Promise<unknown> {
  const [first, second] = path.keys;
  const prefixed = first === 'value' || first === 'json';
  const name = prefixed ? second : first;
  if (name === undefined) {
    throw new TemplateValueError("'var' needs a variable name: var.value.NAME, var.json.NAME or var.NAME");
  }
  const isJson = prefixed && first === 'json';
  const key = String(name);
  let lookup = scope.variables.get(key);
  if (!lookup) {
    lookup = scope.lookups.variable(key);
    scope.variables.set(key, lookup);
  }
  const raw = await lookup;
  const rest = path.keys.slice(prefixed ? 2 : 1);
  if (raw === undefined) return new UndefinedValue(path.text);
  if (typeof raw !== 'string') throw new TemplateValueError(`variable '${key}' did not resolve to a string`);
  if (!isJson) return walk(raw, rest, path.text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // The parser's message quotes the value, which may be secret: report only the key.
    throw new TemplateValueError(`variable '${key}' is not valid JSON`);
  }
  return walk(parsed, rest, path.text);
}

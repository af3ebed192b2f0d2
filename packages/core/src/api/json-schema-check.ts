/**
 * A small JSON Schema check for trigger `conf` when the process does not have the DAG code (a separate
 * `sluice webserver`): the params schema stored with the DAG version (`z.toJSONSchema`, input side) is
 * checked for `type`, `enum`, `const`, `required`, `properties`, `additionalProperties: false`, `items`,
 * `minimum`/`maximum` (and exclusive forms), `minLength`/`maxLength`, `pattern`, `anyOf`/`oneOf`.
 * Other keywords are ignored, so the check can accept what zod would refuse; the process that has the
 * DAG code (the scheduler) validates with the zod schema itself.
 */

type Schema = Record<string, unknown>;

/** The first problem found: the dotted path of the offending value and a message. */
export interface SchemaProblem {
  path: string[];
  message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type.map(String) : [String(type)];
  const actual = typeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** Checks `value` against `schema`; returns the first problem, or undefined when it passes. */
export function checkJsonSchema(schema: unknown, value: unknown, path: string[] = []): SchemaProblem | undefined {
  if (schema === true || schema === undefined) return undefined;
  if (schema === false) return { path, message: 'is not allowed' };
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as Schema;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const problems = options.map((o) => checkJsonSchema(o, value, path));
      if (problems.every((p) => p !== undefined)) return problems.find((p) => p && p.path.length > path.length) ?? { path, message: 'does not match any allowed shape' };
    }
  }
  if (s.type !== undefined && !matchesType(value, s.type)) {
    return { path, message: `expected ${Array.isArray(s.type) ? s.type.join(' or ') : String(s.type)}, got ${typeOf(value)}` };
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) return { path, message: `must be ${JSON.stringify(s.const)}` };
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return { path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` };
  }
  if (typeof value === 'number') return checkNumber(s, value, path);
  if (typeof value === 'string') return checkString(s, value, path);
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return { path, message: `must have at least ${s.minItems} items` };
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return { path, message: `must have at most ${s.maxItems} items` };
    for (let i = 0; i < value.length; i++) {
      const problem = checkJsonSchema(s.items, value[i], [...path, String(i)]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) return checkObject(s, value as Record<string, unknown>, path);
  return undefined;
}

function checkNumber(s: Schema, value: number, path: string[]): SchemaProblem | undefined {
  if (typeof s.minimum === 'number' && value < s.minimum) return { path, message: `must be ≥ ${s.minimum}` };
  if (typeof s.maximum === 'number' && value > s.maximum) return { path, message: `must be ≤ ${s.maximum}` };
  if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return { path, message: `must be > ${s.exclusiveMinimum}` };
  if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return { path, message: `must be < ${s.exclusiveMaximum}` };
  return undefined;
}

function checkString(s: Schema, value: string, path: string[]): SchemaProblem | undefined {
  if (typeof s.minLength === 'number' && value.length < s.minLength) return { path, message: `must have at least ${s.minLength} characters` };
  if (typeof s.maxLength === 'number' && value.length > s.maxLength) return { path, message: `must have at most ${s.maxLength} characters` };
  if (typeof s.pattern === 'string') {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(value)) return { path, message: `must match ${s.pattern}` };
  }
  return undefined;
}

function checkObject(s: Schema, value: Record<string, unknown>, path: string[]): SchemaProblem | undefined {
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  if (Array.isArray(s.required)) {
    for (const key of s.required.map(String)) if (!(key in value)) return { path: [...path, key], message: 'is required' };
  }
  for (const [key, v] of Object.entries(value)) {
    if (key in properties) {
      const problem = checkJsonSchema(properties[key], v, [...path, key]);
      if (problem) return problem;
    } else if (s.additionalProperties === false) {
      return { path: [...path, key], message: 'is not an allowed field' };
    } else if (typeof s.additionalProperties === 'object') {
      const problem = checkJsonSchema(s.additionalProperties, v, [...path, key]);
      if (problem) return problem;
    }
  }
  return undefined;
}

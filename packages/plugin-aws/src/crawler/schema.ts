/**
 * The crawler's column type model (plain JSON), type inference for one value, and the deterministic
 * merge of two types. Merging forms a join-semilattice (commutative, associative, idempotent, with
 * `null` as identity and `string` absorbing), so the schema of a sample never depends on record order.
 */

/** A scalar column type. */
export type ScalarType =
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'bigint' }
  | { kind: 'double' }
  | { kind: 'string' }
  | { kind: 'timestamp' }
  | { kind: 'date' };

/** A named field of a struct, or a table column. `nullable` is true when a null was seen or the field was missing in some record. */
export type Field = { name: string; type: ColumnType; nullable: boolean };

/** An array; `element` is the merge of every non-null element seen (`null` kind when none was). */
export type ArrayType = { kind: 'array'; element: ColumnType };

/** A nested object; fields are sorted by name (code-point order). */
export type StructType = { kind: 'struct'; fields: Field[] };

/** Only nulls seen so far (or no value at all). Merging with it keeps the other type. */
export type NullType = { kind: 'null' };

/** Any column type. JSON-serialisable. */
export type ColumnType = ScalarType | ArrayType | StructType | NullType;

/** A table column (same shape as a struct field). */
export type Column = Field;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** Shorthand constructors. */
export const types = {
  null: (): NullType => ({ kind: 'null' }),
  boolean: (): ScalarType => ({ kind: 'boolean' }),
  int: (): ScalarType => ({ kind: 'int' }),
  bigint: (): ScalarType => ({ kind: 'bigint' }),
  double: (): ScalarType => ({ kind: 'double' }),
  string: (): ScalarType => ({ kind: 'string' }),
  timestamp: (): ScalarType => ({ kind: 'timestamp' }),
  date: (): ScalarType => ({ kind: 'date' }),
  array: (element: ColumnType): ArrayType => ({ kind: 'array', element }),
  struct: (fields: Field[]): StructType => ({ kind: 'struct', fields: [...fields].sort(byName) }),
};

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The type of an ISO-8601 string: `date` (`2026-01-31`), `timestamp` (`2026-01-31T10:00:00Z`, …), or `string`. */
export function inferStringType(text: string): ScalarType {
  if (!ISO_DATE.test(text.slice(0, 10)) || !isCalendarDate(text.slice(0, 10))) return types.string();
  if (text.length === 10) return types.date();
  if (ISO_TIMESTAMP.test(text) && !Number.isNaN(Date.parse(text.replace(' ', 'T')))) return types.timestamp();
  return types.string();
}

/** True for a real `YYYY-MM-DD` day (`Date.parse` rolls `02-31` over to March). */
function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function integerType(value: number | bigint): ScalarType {
  const big = BigInt(value);
  if (big >= BigInt(INT_MIN) && big <= BigInt(INT_MAX)) return types.int();
  if (big >= BIGINT_MIN && big <= BIGINT_MAX) return types.bigint();
  return types.double();
}

/**
 * The type of one decoded value: `null`/`undefined` → null; integers → int (32-bit), bigint (64-bit) or
 * double (beyond); other numbers → double; ISO strings → timestamp/date; arrays → array of the merged
 * element type; plain objects → struct. JSON cannot tell `1.0` from `1`: both are int.
 */
export function inferValueType(value: unknown): ColumnType {
  if (value === null || value === undefined) return types.null();
  switch (typeof value) {
    case 'boolean':
      return types.boolean();
    case 'bigint':
      return integerType(value);
    case 'number':
      return Number.isInteger(value) ? integerType(value) : types.double();
    case 'string':
      return inferStringType(value);
    case 'object':
      if (Array.isArray(value)) return types.array(value.reduce<ColumnType>((acc, v) => mergeTypes(acc, inferValueType(v)), types.null()));
      if (value instanceof Date) return types.timestamp();
      return inferRecordType(value as Record<string, unknown>);
    default:
      return types.string();
  }
}

/** The struct type of one record: a field per own key, nullable when its value is null. */
export function inferRecordType(record: Record<string, unknown>): StructType {
  const fields: Field[] = [];
  for (const [name, v] of Object.entries(record)) {
    if (v === undefined) continue;
    fields.push({ name, type: inferValueType(v), nullable: v === null });
  }
  return types.struct(fields);
}

const NUMERIC_RANK: Record<string, number> = { int: 0, bigint: 1, double: 2 };

function mergeScalars(a: ScalarType, b: ScalarType): ScalarType {
  if (a.kind === b.kind) return a;
  const ra = NUMERIC_RANK[a.kind];
  const rb = NUMERIC_RANK[b.kind];
  if (ra !== undefined && rb !== undefined) return ra > rb ? a : b;
  const pair = [a.kind, b.kind].sort().join('+');
  if (pair === 'date+timestamp') return types.timestamp();
  return types.string();
}

/** Merges two struct field lists by name; a field missing on one side becomes nullable. */
export function mergeFields(a: readonly Field[], b: readonly Field[]): Field[] {
  const inB = new Set(b.map((g) => g.name));
  const byKey = new Map<string, Field>();
  for (const f of a) byKey.set(f.name, { ...f, nullable: f.nullable || !inB.has(f.name) });
  for (const g of b) {
    const f = byKey.get(g.name);
    byKey.set(g.name, f ? { name: g.name, type: mergeTypes(f.type, g.type), nullable: f.nullable || g.nullable } : { ...g, nullable: true });
  }
  return [...byKey.values()].sort(byName);
}

/**
 * The narrowest type both `a` and `b` fit in. Numbers widen int → bigint → double; date + timestamp →
 * timestamp; any other mix of different scalars → string; `null` keeps the other type; arrays merge their
 * elements; structs merge field-wise; struct/array mixed with anything else → string. Commutative and
 * associative, so the result does not depend on merge order or grouping.
 */
export function mergeTypes(a: ColumnType, b: ColumnType): ColumnType {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'array' && b.kind === 'array') return types.array(mergeTypes(a.element, b.element));
  if (a.kind === 'struct' && b.kind === 'struct') return { kind: 'struct', fields: mergeFields(a.fields, b.fields) };
  if (a.kind === 'array' || a.kind === 'struct' || b.kind === 'array' || b.kind === 'struct') return types.string();
  return mergeScalars(a, b);
}

/** A type as Hive-style text, e.g. `struct<a:int,tags:array<string>>` (for logs and messages). */
export function formatType(type: ColumnType): string {
  switch (type.kind) {
    case 'array':
      return `array<${formatType(type.element)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${formatType(f.type)}`).join(',')}>`;
    default:
      return type.kind;
  }
}

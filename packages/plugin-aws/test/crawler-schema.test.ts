import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatType,
  inferRecordType,
  inferTextType,
  inferValueType,
  mergeTypes,
  parseTextValue,
  types,
  type ColumnType,
} from '../src/crawler/index.js';

const t = types;
const arrayOfInt = t.array(t.int());
const structX = t.struct([{ name: 'x', type: t.int(), nullable: false }]);

/** Every pair of kinds and the merge both orders must give. */
const WIDENING: [string, ColumnType, ColumnType, ColumnType][] = [
  ['null + null', t.null(), t.null(), t.null()],
  ['null + boolean', t.null(), t.boolean(), t.boolean()],
  ['null + int', t.null(), t.int(), t.int()],
  ['null + bigint', t.null(), t.bigint(), t.bigint()],
  ['null + double', t.null(), t.double(), t.double()],
  ['null + string', t.null(), t.string(), t.string()],
  ['null + timestamp', t.null(), t.timestamp(), t.timestamp()],
  ['null + date', t.null(), t.date(), t.date()],
  ['null + array', t.null(), arrayOfInt, arrayOfInt],
  ['null + struct', t.null(), structX, structX],
  ['boolean + boolean', t.boolean(), t.boolean(), t.boolean()],
  ['boolean + int', t.boolean(), t.int(), t.string()],
  ['boolean + bigint', t.boolean(), t.bigint(), t.string()],
  ['boolean + double', t.boolean(), t.double(), t.string()],
  ['boolean + string', t.boolean(), t.string(), t.string()],
  ['boolean + timestamp', t.boolean(), t.timestamp(), t.string()],
  ['boolean + date', t.boolean(), t.date(), t.string()],
  ['boolean + array', t.boolean(), arrayOfInt, t.string()],
  ['boolean + struct', t.boolean(), structX, t.string()],
  ['int + int', t.int(), t.int(), t.int()],
  ['int + bigint', t.int(), t.bigint(), t.bigint()],
  ['int + double', t.int(), t.double(), t.double()],
  ['int + string', t.int(), t.string(), t.string()],
  ['int + timestamp', t.int(), t.timestamp(), t.string()],
  ['int + date', t.int(), t.date(), t.string()],
  ['int + array', t.int(), arrayOfInt, t.string()],
  ['int + struct', t.int(), structX, t.string()],
  ['bigint + bigint', t.bigint(), t.bigint(), t.bigint()],
  ['bigint + double', t.bigint(), t.double(), t.double()],
  ['bigint + string', t.bigint(), t.string(), t.string()],
  ['bigint + timestamp', t.bigint(), t.timestamp(), t.string()],
  ['bigint + date', t.bigint(), t.date(), t.string()],
  ['bigint + array', t.bigint(), arrayOfInt, t.string()],
  ['bigint + struct', t.bigint(), structX, t.string()],
  ['double + double', t.double(), t.double(), t.double()],
  ['double + string', t.double(), t.string(), t.string()],
  ['double + timestamp', t.double(), t.timestamp(), t.string()],
  ['double + date', t.double(), t.date(), t.string()],
  ['double + array', t.double(), arrayOfInt, t.string()],
  ['double + struct', t.double(), structX, t.string()],
  ['string + string', t.string(), t.string(), t.string()],
  ['string + timestamp', t.string(), t.timestamp(), t.string()],
  ['string + date', t.string(), t.date(), t.string()],
  ['string + array', t.string(), arrayOfInt, t.string()],
  ['string + struct', t.string(), structX, t.string()],
  ['timestamp + timestamp', t.timestamp(), t.timestamp(), t.timestamp()],
  ['timestamp + date', t.timestamp(), t.date(), t.timestamp()],
  ['timestamp + array', t.timestamp(), arrayOfInt, t.string()],
  ['timestamp + struct', t.timestamp(), structX, t.string()],
  ['date + date', t.date(), t.date(), t.date()],
  ['date + array', t.date(), arrayOfInt, t.string()],
  ['date + struct', t.date(), structX, t.string()],
  ['array + array', arrayOfInt, t.array(t.double()), t.array(t.double())],
  ['array + struct', arrayOfInt, structX, t.string()],
  ['struct + struct', structX, structX, structX],
];

describe('mergeTypes widening table', () => {
  it('covers every pair of kinds', () => {
    const kinds = ['null', 'boolean', 'int', 'bigint', 'double', 'string', 'timestamp', 'date', 'array', 'struct'];
    const covered = new Set(WIDENING.map(([, a, b]) => [a.kind, b.kind].sort().join('+')));
    for (const a of kinds) for (const b of kinds) expect(covered.has([a, b].sort().join('+')), `${a} + ${b}`).toBe(true);
  });

  it.each(WIDENING)('%s', (_name, a, b, expected) => {
    expect(mergeTypes(a, b)).toEqual(expected);
    expect(mergeTypes(b, a)).toEqual(expected);
  });

  it('merges arrays element-wise and structs field-wise; a field missing on one side becomes nullable', () => {
    expect(mergeTypes(t.array(t.null()), t.array(t.bigint()))).toEqual(t.array(t.bigint()));
    expect(mergeTypes(t.array(t.int()), t.array(t.string()))).toEqual(t.array(t.string()));
    const a = t.struct([
      { name: 'id', type: t.int(), nullable: false },
      { name: 'tags', type: t.array(t.int()), nullable: false },
    ]);
    const b = t.struct([
      { name: 'id', type: t.double(), nullable: true },
      { name: 'name', type: t.string(), nullable: false },
    ]);
    expect(mergeTypes(a, b)).toEqual(
      t.struct([
        { name: 'id', type: t.double(), nullable: true },
        { name: 'name', type: t.string(), nullable: true },
        { name: 'tags', type: t.array(t.int()), nullable: true },
      ]),
    );
  });
});

describe('inferValueType', () => {
  it.each<[string, unknown, ColumnType]>([
    ['null', null, t.null()],
    ['boolean', false, t.boolean()],
    ['int', 42, t.int()],
    ['int32 max', 2 ** 31 - 1, t.int()],
    ['int32 min', -(2 ** 31), t.int()],
    ['beyond int32', 2 ** 31, t.bigint()],
    ['negative bigint', -(2 ** 40), t.bigint()],
    ['JS bigint', 2n ** 62n, t.bigint()],
    ['beyond int64', 1e20, t.double()],
    ['double', 4.5, t.double()],
    ['string', 'hello', t.string()],
    ['date', '2026-01-31', t.date()],
    ['impossible date', '2026-02-31', t.string()],
    ['month 13', '2026-13-01', t.string()],
    ['date with text after it', '2026-01-31x', t.string()],
    ['impossible day in a timestamp', '2026-02-30T10:00:00Z', t.string()],
    ['timestamp Z', '2026-01-31T10:00:00Z', t.timestamp()],
    ['timestamp fraction offset', '2026-01-31T10:00:00.123+02:00', t.timestamp()],
    ['timestamp space no zone', '2026-01-31 10:00:00', t.timestamp()],
    ['not a timestamp', '2026-01-31T99:99', t.string()],
    ['empty array', [], t.array(t.null())],
    ['mixed int/double array', [1, 2.5, null], t.array(t.double())],
    ['mixed array', [1, 'x'], t.array(t.string())],
  ])('%s', (_name, value, expected) => {
    expect(inferValueType(value)).toEqual(expected);
  });

  it('types nested objects as structs with sorted fields; nulls make a field nullable', () => {
    expect(inferValueType({ z: null, a: { c: [1], b: true } })).toEqual(
      t.struct([
        { name: 'a', type: t.struct([{ name: 'b', type: t.boolean(), nullable: false }, { name: 'c', type: t.array(t.int()), nullable: false }]), nullable: false },
        { name: 'z', type: t.null(), nullable: true },
      ]),
    );
    expect(formatType(inferRecordType({ a: { b: [1.5] }, c: 'x' }))).toBe('struct<a:struct<b:array<double>>,c:string>');
  });
});

describe('text values (CSV cells, partition values)', () => {
  it.each<[string, unknown]>([
    ['', null],
    ['42', 42],
    ['-7', -7],
    ['9007199254740993', 9007199254740993n],
    ['4.25', 4.25],
    ['-.5', -0.5],
    ['1e3', 1000],
    ['TRUE', true],
    ['false', false],
    ['007', '007'],
    ['1.2.3', '1.2.3'],
    ['.', '.'],
    ['2026-01-31T10:00:00Z', '2026-01-31T10:00:00Z'],
  ])('%j', (text, value) => {
    expect(parseTextValue(text)).toEqual(value);
  });

  it('types timestamps and dates from text', () => {
    expect(inferTextType('2026-01-31T10:00:00Z')).toEqual(t.timestamp());
    expect(inferTextType('2026-01-31')).toEqual(t.date());
    expect(inferTextType('3000000000')).toEqual(t.bigint());
    expect(inferTextType('')).toEqual(t.null());
  });
});

/** JSON-like values over a small key set, so records share fields and collide in type. */
const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(2 ** 40, -(2 ** 35), 1e20),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom('x', '2026-01-31', '2026-01-31T10:00:00Z', ''),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('record'),
  ),
  record: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
}));
const recordArb = fc.dictionary(fc.constantFrom('id', 'score', 'user', 'tags', 'note'), valueArb, { maxKeys: 5 });

function foldLeft(list: readonly ColumnType[]): ColumnType {
  return list.reduce<ColumnType>((acc, x) => mergeTypes(acc, x), t.null());
}

function mergeTree(list: readonly ColumnType[], cuts: readonly number[], depth = 0): ColumnType {
  if (list.length === 0) return t.null();
  if (list.length === 1) return list[0] as ColumnType;
  const at = ((cuts[depth % Math.max(cuts.length, 1)] ?? 0) % (list.length - 1)) + 1;
  return mergeTypes(mergeTree(list.slice(0, at), cuts, depth + 1), mergeTree(list.slice(at), cuts, depth + 1));
}

describe('order independence (fast-check)', () => {
  it('merging records in any order and any grouping yields the same schema', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 12 }).chain((records) =>
          fc.tuple(fc.constant(records), fc.shuffledSubarray(records, { minLength: records.length }), fc.array(fc.nat(), { maxLength: 8 })),
        ),
        ([records, shuffled, cuts]) => {
          const inOrder = foldLeft(records.map(inferRecordType));
          expect(foldLeft(shuffled.map(inferRecordType))).toEqual(inOrder);
          expect(mergeTree(shuffled.map(inferRecordType), cuts)).toEqual(inOrder);
          expect(JSON.parse(JSON.stringify(inOrder))).toEqual(inOrder);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('mergeTypes is commutative, associative and idempotent', () => {
    const typeArb = valueArb.map(inferValueType);
    fc.assert(
      fc.property(typeArb, typeArb, typeArb, (a, b, c) => {
        expect(mergeTypes(a, b)).toEqual(mergeTypes(b, a));
        expect(mergeTypes(mergeTypes(a, b), c)).toEqual(mergeTypes(a, mergeTypes(b, c)));
        expect(mergeTypes(a, a)).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });
});

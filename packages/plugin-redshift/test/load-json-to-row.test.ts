import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyErrorToLoadError, copyTextLine, parseJsonPath, RowMapper, splitJsonRecords, WarehouseLoadError, type MappedColumn } from '../src/index.js';

async function records(chunks: string[]): Promise<{ line: number; text: string }[]> {
  const out: { line: number; text: string }[] = [];
  for await (const record of splitJsonRecords(Readable.from(chunks.map((c) => Buffer.from(c))), 's3://lake/k.json')) out.push(record);
  return out;
}

const at = { object: 's3://lake/k.jsonl', line: 7 };
const col = (name: string, dataType = 'text', maxLength: number | null = null): MappedColumn => ({ name, dataType, maxLength });

describe('RowMapper', () => {
  it("maps JSON the way 'auto ignorecase' does", () => {
    const mapper = new RowMapper({ columns: [col('Id', 'integer'), col('doc', 'jsonb'), col('note'), col('flag', 'boolean')], longText: 'fail' });
    expect(mapper.fromJson({ id: 5, DOC: 'text', NOTE: { nested: [1] }, flag: true, other: 1 }, at)).toEqual(['5', '"text"', '{"nested":[1]}', 'true']);
    expect(mapper.fromJson({}, at)).toEqual([null, null, null, null]);
    expect(mapper.fromJson({ doc: null, note: null }, at)).toEqual([null, null, null, null]);
    expect(() => mapper.fromJson('x', at)).toThrow(WarehouseLoadError);
  });

  it('converts epoch numbers for timestamp columns when asked', () => {
    const secs = new RowMapper({ columns: [col('at', 'timestamp with time zone'), col('n', 'bigint')], longText: 'fail', timeFormat: 'epochsecs' });
    expect(secs.fromJson({ at: 1_775_347_200, n: 1_775_347_200 }, at)).toEqual(['2026-04-05T00:00:00.000Z', '1775347200']);
    const millis = new RowMapper({ columns: [col('at', 'timestamp without time zone')], longText: 'fail', timeFormat: 'epochmillisecs' });
    expect(millis.fromJson({ at: 1_775_347_200_123 }, at)).toEqual(['2026-04-05T00:00:00.123Z']);
  });

  it('counts characters, not bytes or UTF-16 units, against a varchar width', () => {
    const mapper = new RowMapper({ columns: [col('v', 'character varying', 2)], longText: 'truncate' });
    expect(mapper.fromJson({ v: '😀😀' }, at)).toEqual(['😀😀']);
    expect(mapper.fromJson({ v: '😀😀😀' }, at)).toEqual(['😀😀']);
    expect(mapper.truncated).toBe(1);
  });

  it('follows JSONPaths and refuses unsupported ones', () => {
    expect(parseJsonPath(`$.a['b c']["d"][2]`)).toEqual(['a', 'b c', 'd', 2]);
    expect(() => parseJsonPath('$..a')).toThrow(RangeError);
    expect(() => parseJsonPath('a.b')).toThrow(RangeError);
    expect(() => new RowMapper({ columns: [col('a')], longText: 'fail', jsonPaths: ['$.a', '$.b'] })).toThrow(/2 paths for 1 columns/);
  });
});

describe('COPY text and COPY errors', () => {
  it('escapes backslash, tab, newline and carriage return; NULL is \\N', () => {
    expect(copyTextLine(['a\\b\tc\nd\re', null, ''])).toBe('a\\\\b\\tc\\nd\\re\t\\N\t\n');
  });

  it("maps a COPY error's line back to the source line", () => {
    const pgError = Object.assign(new Error('invalid input syntax for type integer: "abc"'), { code: '22P02', where: 'COPY sluice_load_stage, line 3, column amount: "abc"' });
    const error = copyErrorToLoadError(pgError, 's3://lake/a.jsonl', [1, 4, 9]);
    expect(error).toMatchObject({ object: 's3://lake/a.jsonl', line: 9, column: 'amount', code: '22P02', cause: pgError });
    const rowError = Object.assign(new Error('null value in column "id" violates not-null constraint'), { code: '23502', where: 'COPY events, line 2' });
    expect(copyErrorToLoadError(rowError, 's3://lake/a.jsonl', [3, 5])).toMatchObject({ line: 5, column: undefined });
    expect(copyErrorToLoadError(new Error('connection lost'), 's3://lake/a.jsonl', [], 12)).toMatchObject({ line: 12 });
  });
});

describe('splitJsonRecords', () => {
  it('splits concatenated objects across chunk and line boundaries, each with the line it ends on', async () => {
    const text = '\ufeff{"a": 1}\n\n{\n  "b": "x\\"}{y",\n  "c": [1, {"d": 2}]\n}  [1,2]\r\n{"é": "ü"}';
    const expected = [
      { line: 1, text: '{"a": 1}' },
      { line: 6, text: '{\n  "b": "x\\"}{y",\n  "c": [1, {"d": 2}]\n}' },
      { line: 6, text: '[1,2]' },
      { line: 7, text: '{"é": "ü"}' },
    ];
    expect(await records([text])).toEqual(expected);
    // One byte at a time: multi-byte characters and records split anywhere.
    const bytes = Buffer.from(text);
    const out: { line: number; text: string }[] = [];
    const stream = Readable.from([...bytes].map((b) => Buffer.from([b])));
    for await (const record of splitJsonRecords(stream, 's3://lake/k.json')) out.push(record);
    expect(out).toEqual(expected);
  });

  it('names the line of text outside a record, a raw newline in a string, and input ending inside a record', async () => {
    await expect(records(['{"a":1}\n  x'])).rejects.toMatchObject({ line: 2, reason: 'invalid JSON (expected an object, found "x")' });
    await expect(records(['{"a":1}\n{"b": "open\n"}'])).rejects.toMatchObject({ line: 2, reason: 'invalid JSON (unterminated string)' });
    await expect(records(['{"a":1}\n{"b": [1,\n2'])).rejects.toMatchObject({ line: 3, reason: 'invalid JSON (unexpected end of input inside a record)' });
  });
});

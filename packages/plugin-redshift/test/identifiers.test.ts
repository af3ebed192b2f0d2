import { describe, expect, it } from 'vitest';
import {
  WarehouseIdentifierError,
  displayTable,
  parseTableRef,
  qualifiedTable,
  quoteColumnList,
  quoteIdent,
  toTableRef,
} from '../src/index.js';

describe('quoteIdent', () => {
  it('double-quotes valid names, keeping case, spaces and unicode', () => {
    expect(quoteIdent('events', 'postgres')).toBe('"events"');
    expect(quoteIdent('Mixed Case', 'redshift')).toBe('"Mixed Case"');
    expect(quoteIdent('größe', 'postgres')).toBe('"größe"');
    expect(quoteIdent("it's", 'postgres')).toBe('"it\'s"');
  });

  it('refuses empty names', () => {
    expect(() => quoteIdent('', 'postgres', 'column name')).toThrow(new WarehouseIdentifierError('column name must be a non-empty string'));
  });

  it('refuses double quotes and control characters', () => {
    expect(() => quoteIdent('a"b', 'postgres', 'table name')).toThrow('table name "a\\"b" holds a double quote or a control character');
    expect(() => quoteIdent('a\u0000b', 'redshift')).toThrow(WarehouseIdentifierError);
    expect(() => quoteIdent('line\nbreak', 'postgres')).toThrow(/holds a double quote or a control character/);
    expect(() => quoteIdent('del\u007f', 'postgres')).toThrow(WarehouseIdentifierError);
    expect(() => quoteIdent('x"; DROP TABLE users; --', 'postgres')).toThrow(WarehouseIdentifierError);
  });

  it('refuses names longer than the dialect allows (Postgres 63 bytes, Redshift 127)', () => {
    const name64 = 'a'.repeat(64);
    expect(() => quoteIdent(name64, 'postgres')).toThrow('is longer than 63 bytes (postgres)');
    expect(quoteIdent(name64, 'redshift')).toBe(`"${name64}"`);
    expect(() => quoteIdent('a'.repeat(128), 'redshift')).toThrow('is longer than 127 bytes (redshift)');
    // bytes, not characters: 32 two-byte characters are 64 bytes
    expect(() => quoteIdent('é'.repeat(32), 'postgres')).toThrow(WarehouseIdentifierError);
  });

  it('keeps the original error as cause and has a stable name', () => {
    try {
      quoteIdent('', 'postgres');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).name).toBe('WarehouseIdentifierError');
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
  });
});

describe('qualifiedTable / parseTableRef / toTableRef', () => {
  it('quotes schema and table', () => {
    expect(qualifiedTable({ schema: 'staging', table: 'events' }, 'redshift')).toBe('"staging"."events"');
    expect(qualifiedTable({ table: 'events' }, 'postgres')).toBe('"events"');
  });

  it('parses schema.table and table', () => {
    expect(parseTableRef('staging.events')).toEqual({ schema: 'staging', table: 'events' });
    expect(parseTableRef('events')).toEqual({ table: 'events' });
  });

  it('refuses empty parts, extra dots and bad names', () => {
    expect(() => parseTableRef('')).toThrow('table name must be a non-empty string');
    expect(() => parseTableRef('.events')).toThrow('schema name must be a non-empty string');
    expect(() => parseTableRef('staging.')).toThrow('table name must be a non-empty string');
    expect(() => parseTableRef('a.b.c')).toThrow(`table reference "a.b.c" must be 'schema.table' or 'table'`);
    expect(() => parseTableRef('s.t"x')).toThrow(WarehouseIdentifierError);
  });

  it('accepts a TableRef object, validating it', () => {
    expect(toTableRef({ schema: 'a.b', table: 'c' })).toEqual({ schema: 'a.b', table: 'c' });
    expect(toTableRef('x.y')).toEqual({ schema: 'x', table: 'y' });
    expect(() => toTableRef({ table: '' })).toThrow(WarehouseIdentifierError);
  });

  it('displays schema.table with public as the default schema', () => {
    expect(displayTable({ table: 'events' })).toBe('public.events');
    expect(displayTable({ schema: 's', table: 't' })).toBe('s.t');
  });

  it('quotes column lists and refuses an empty one', () => {
    expect(quoteColumnList(['id', 'Day'], 'postgres')).toBe('"id", "Day"');
    expect(() => quoteColumnList([], 'postgres')).toThrow('at least one column is needed');
  });
});

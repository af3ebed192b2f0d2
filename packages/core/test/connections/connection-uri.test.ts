import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConnection } from '../../src/connections/connection-schema.js';
import {
  formatConnectionUri,
  parseConnectionJson,
  parseConnectionUri,
  parseConnectionValue,
} from '../../src/connections/connection-uri.js';
import type { Connection } from '../../src/connections/types.js';
import { ConnectionError } from '../../src/errors.js';

const SECRET = 'p@ss:w/rd?#%&=+ é';

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseConnectionUri', () => {
  it('parses every part', () => {
    expect(parseConnectionUri('db', 'postgres://alice:s3cret@db.example.com:5432/analytics?sslmode=require&application_name=sluice')).toEqual({
      id: 'db',
      type: 'postgres',
      login: 'alice',
      password: 's3cret',
      host: 'db.example.com',
      port: 5432,
      schema: 'analytics',
      extra: { sslmode: 'require', application_name: 'sluice' },
    });
  });

  it('normalises the type like Airflow', () => {
    expect(parseConnectionUri('a', 'postgresql://h').type).toBe('postgres');
    expect(parseConnectionUri('a', 'google-cloud-platform://').type).toBe('google_cloud_platform');
    expect(parseConnectionUri('a', 'AWS://').type).toBe('aws');
    expect(parseConnectionUri('a', 'reddit://id:secret@').type).toBe('reddit');
  });

  it('percent-decodes login, password, host and schema', () => {
    const c = parseConnectionUri('x', 'mysql://us%40er:p%40ss%3Aw%2Frd%3F%23%25@my%2Dhost:3306/my%20db');
    expect(c).toMatchObject({ login: 'us@er', password: 'p@ss:w/rd?#%', host: 'my-host', schema: 'my db' });
    expect(parseConnectionUri('x', 'http://u:a+b@h').password).toBe('a+b');
  });

  it('reads __extra__ JSON and decodes query values (+ is a space)', () => {
    const extra = encodeURIComponent(JSON.stringify({ region_name: 'eu-west-1', nested: { a: [1, 2] } }));
    expect(parseConnectionUri('aws', `aws://?__extra__=${extra}`).extra).toEqual({
      region_name: 'eu-west-1',
      nested: { a: [1, 2] },
    });
    expect(parseConnectionUri('h', 'http://h/?q=a+b%26c&flag&empty=').extra).toEqual({ q: 'a b&c', flag: '', empty: '' });
    expect(parseConnectionUri('h', `http://h/?x=1&__extra__=${encodeURIComponent('{"y":2}')}`).extra).toEqual({ x: '1', y: 2 });
  });

  it('handles missing parts, a host with its own protocol, and IPv6', () => {
    expect(parseConnectionUri('a', 'aws://')).toEqual({ id: 'a', type: 'aws', extra: {} });
    expect(parseConnectionUri('a', 'http://:tok3n@')).toEqual({ id: 'a', type: 'http', password: 'tok3n', extra: {} });
    expect(parseConnectionUri('a', 'http://https://api.example.com:8443/v1')).toMatchObject({
      host: 'https://api.example.com',
      port: 8443,
      schema: 'v1',
    });
    expect(parseConnectionUri('a', 'postgres://u:p@[::1]:5432/db')).toMatchObject({ host: '::1', port: 5432 });
    expect(parseConnectionUri('a', 'sqlite:///tmp/x.db').schema).toBe('tmp/x.db');
  });

  it.each([
    ['not a uri', 'not a connection URI'],
    ['://host', 'not a connection URI'],
    ['postgres://u:p%40ss%zz@h', "field 'password' has invalid percent-encoding"],
    [`postgres://u:${encodeURIComponent(SECRET)}@h:99999`, "field 'port' must be a number from 0 to 65535"],
    [`postgres://u:${encodeURIComponent(SECRET)}@h:port`, "field 'port' must be a number from 0 to 65535"],
    [`postgres://u:${encodeURIComponent(SECRET)}@[::1`, "field 'host' has an unclosed '['"],
    [`aws://u:${encodeURIComponent(SECRET)}@?__extra__=${encodeURIComponent(`{"k":"${SECRET}"`)}`, "field 'extra' is not valid JSON"],
    [`aws://u:${encodeURIComponent(SECRET)}@?__extra__=%5B1%5D`, "field 'extra' must be a JSON object"],
  ])('rejects %s without revealing the password', (uri, message) => {
    const error = catchError(() => parseConnectionUri('broken_conn', uri));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain("connection 'broken_conn'");
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(encodeURIComponent(SECRET));
    expect(error.message).not.toContain('p@ss');
    expect(error.cause).toBeUndefined();
  });

  it('rejects an invalid connection id', () => {
    expect(() => parseConnectionUri('bad id!', 'http://h')).toThrow("connection 'bad id!': field 'id'");
  });
});

describe('formatConnectionUri', () => {
  it('writes Airflow URIs', () => {
    const c: Connection = { id: 'db', type: 'postgres', login: 'alice', password: SECRET, host: 'db', port: 5432, schema: 'x', extra: { sslmode: 'require' } };
    const uri = formatConnectionUri(c);
    expect(uri).toBe(`postgres://alice:${encodeURIComponent(SECRET)}@db:5432/x?sslmode=require`);
    expect(parseConnectionUri('db', uri)).toEqual(c);
  });

  it('uses __extra__ for non-string extras and - in the scheme', () => {
    const c: Connection = { id: 'g', type: 'google_cloud_platform', extra: { project: 'p', retries: 3 } };
    const uri = formatConnectionUri(c);
    expect(uri.startsWith('google-cloud-platform:///?__extra__=')).toBe(true);
    expect(parseConnectionUri('g', uri)).toEqual(c);
  });

  it('keeps a host protocol', () => {
    const c: Connection = { id: 'h', type: 'http', host: 'https://api.example.com/base', extra: {} };
    expect(formatConnectionUri(c)).toBe('http://https://api.example.com%2Fbase');
    expect(parseConnectionUri('h', formatConnectionUri(c))).toEqual(c);
  });

  it('round-trips arbitrary connections', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
    const connection = fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
        type: fc.constantFrom('postgres', 'aws', 'reddit', 'http', 'google_cloud_platform', 's3'),
        host: text,
        port: fc.integer({ min: 0, max: 65535 }),
        login: text,
        password: text,
        schema: text,
        extra: fc.oneof(
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 10 })),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
        ),
      },
      { requiredKeys: ['id', 'type', 'extra'] },
    );
    fc.assert(
      fc.property(connection, (raw) => {
        const extra = JSON.parse(JSON.stringify(raw.extra)) as Record<string, unknown>;
        delete extra.__proto__;
        const c = validateConnection({ ...raw, extra });
        expect(parseConnectionUri(c.id, formatConnectionUri(c))).toEqual(c);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseConnectionJson', () => {
  it.each([
    [{ conn_type: 'postgres', login: 'a', password: 'b', host: 'h', port: 5432, schema: 's' }],
    [{ connection_type: 'postgres', user: 'a', pass: 'b', remote_host: 'h', port: '5432', database: 's' }],
    [{ engine: 'postgresql', username: 'a', key: 'b', server: 'h', port: 5432, database: 's' }],
    [{ conn_type: 'Postgres', user_name: 'a', password: 'b', host: 'h', port: ' 5432 ', schema: 's', description: 'ignored' }],
  ])('accepts Airflow aliases %#', (json) => {
    const expected = { id: 'c', type: 'postgres', login: 'a', password: 'b', host: 'h', port: 5432, schema: 's', extra: {} };
    expect(parseConnectionJson('c', json)).toEqual(expected);
    expect(parseConnectionJson('c', JSON.stringify(json))).toEqual(expected);
  });

  it('prefers the first alias and reads extra as an object or a JSON string', () => {
    expect(parseConnectionJson('c', { conn_type: 'http', login: 'first', user: 'second' }).login).toBe('first');
    expect(parseConnectionJson('c', { conn_type: 'aws', extra: { region_name: 'eu-west-1' } }).extra).toEqual({ region_name: 'eu-west-1' });
    expect(parseConnectionJson('c', { conn_type: 'aws', extra: '{"region_name":"us-east-1"}' }).extra).toEqual({ region_name: 'us-east-1' });
    expect(parseConnectionJson('c', { conn_type: 'aws', extra: '' }).extra).toEqual({});
    expect(parseConnectionJson('c', { type: 'http', password: 1234, host: null })).toEqual({ id: 'c', type: 'http', password: '1234', extra: {} });
  });

  it.each([
    [`{"conn_type":"postgres","password":"${SECRET}"`, "field 'json' is not valid JSON"],
    [`["${SECRET}"]`, "field 'json' must be a JSON object"],
    [JSON.stringify({ password: SECRET }), "field 'type' is required"],
    [JSON.stringify({ conn_type: 'pg sql', password: SECRET }), "field 'type' must be lowercase"],
    [JSON.stringify({ conn_type: 'postgres', password: SECRET, port: 'abc' }), "field 'port' must be a number"],
    [JSON.stringify({ conn_type: 'postgres', password: SECRET, port: 70000 }), "field 'port' must be from 0 to 65535"],
    [JSON.stringify({ conn_type: 'postgres', password: SECRET, port: 1.5 }), "field 'port' must be an integer"],
    [JSON.stringify({ conn_type: 'postgres', pass: { v: SECRET } }), "field 'pass' must be a string"],
    [JSON.stringify({ conn_type: 'postgres', password: SECRET, extra: `{"token":"${SECRET}"` }), "field 'extra' is not valid JSON"],
    [JSON.stringify({ conn_type: 'postgres', password: SECRET, extra: [SECRET] }), "field 'extra' must be a JSON object"],
    [JSON.stringify({ conn_type: 5, password: SECRET }), "field 'conn_type' must be a string"],
  ])('rejects %s without revealing the password', (json, message) => {
    const error = catchError(() => parseConnectionJson('json_conn', json));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain("connection 'json_conn'");
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('p@ss');
    expect(error.cause).toBeUndefined();
  });
});

describe('parseConnectionValue', () => {
  it('detects JSON or URI', () => {
    expect(parseConnectionValue('a', ' {"conn_type":"http","host":"h"}').host).toBe('h');
    expect(parseConnectionValue('a', 'http://h').host).toBe('h');
  });
});

import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  SecretRedactor,
  isSecretKey,
  redactConnection,
  redactUrlPasswords,
  registerSecretValues,
} from '../../src/connections/redact.js';
import type { Connection } from '../../src/connections/types.js';

const connection: Connection = {
  id: 'aws_default',
  type: 'aws',
  login: 'AKIAEXAMPLE',
  password: 'wJalrXUtnFEMI/K7MDENG',
  host: 'h',
  extra: {
    region_name: 'eu-west-1',
    aws_secret_access_key: 'another-secret',
    api_key: 'k-123456',
    nested: { client_secret: 'cs-abcdef', keep: 'visible', deeper: [{ token: 'tok-999' }, { Authorization: 'Bearer zzz' }] },
    private_key: { pem: '-----BEGIN-----' },
    key: 'just-key',
    key_id: 'not-secret',
    endpoint_url: 'https://user:url-pass@example.com/path',
    empty_password: '',
  },
};

describe('isSecretKey', () => {
  it.each(['password', 'PASSWORD', 'db_password', 'secret', 'client_secret', 'token', 'access_token', 'key', 'private_key',
    'privateKey', 'access_key', 'secret_access_key', 'aws_secret_access_key', 'api_key', 'apiKey', 'api-key', 'Authorization',
    'passphrase', 'credentials', 'keyfile_dict', 'service_account_json', 'passwd'])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });
  it.each(['region_name', 'host', 'key_id', 'keyspace', 'monkey_business', 'login', 'endpoint_url', 'database'])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactConnection', () => {
  it('redacts the password and secret-looking extras at any depth, leaving the original alone', () => {
    const redacted = redactConnection(connection);
    expect(redacted).toEqual({
      ...connection,
      password: REDACTED,
      extra: {
        region_name: 'eu-west-1',
        aws_secret_access_key: REDACTED,
        api_key: REDACTED,
        nested: { client_secret: REDACTED, keep: 'visible', deeper: [{ token: REDACTED }, { Authorization: REDACTED }] },
        private_key: REDACTED,
        key: REDACTED,
        key_id: 'not-secret',
        endpoint_url: `https://user:${REDACTED}@example.com/path`,
        empty_password: '',
      },
    });
    expect(connection.password).toBe('wJalrXUtnFEMI/K7MDENG');
    expect((connection.extra.nested as Record<string, unknown>).client_secret).toBe('cs-abcdef');
  });

  it('leaves a connection without secrets unchanged', () => {
    const plain: Connection = { id: 'h', type: 'http', host: 'example.com', extra: {} };
    expect(redactConnection(plain)).toEqual(plain);
  });

  it('redacts passwords in URLs', () => {
    expect(redactUrlPasswords('see postgres://bob:hunter22@db:5432/x and http://plain.example.com')).toBe(
      `see postgres://bob:${REDACTED}@db:5432/x and http://plain.example.com`,
    );
  });
});

describe('SecretRedactor', () => {
  it('replaces every registered secret, longest first', () => {
    const r = new SecretRedactor();
    r.add('hunter2');
    r.add('hunter22-long');
    expect(r.redact('a hunter2 b hunter22-long c hunter2hunter2')).toBe('a *** b *** c ******');
  });

  it('ignores short secrets and empty text', () => {
    const r = new SecretRedactor();
    r.add('abc');
    r.add('');
    expect(r.size).toBe(0);
    expect(r.redact('abc abc')).toBe('abc abc');
    r.add('abcd');
    expect(r.redact('')).toBe('');
    expect(r.redact('xabcdx')).toBe('x***x');
  });

  it('treats regex characters literally and catches encoded forms', () => {
    const r = new SecretRedactor();
    const secret = 'p@ss.w*rd (x)+"\\/ é';
    r.add(secret);
    expect(r.redact(`raw=${secret}`)).toBe('raw=***');
    expect(r.redact(`uri=postgres://u:${encodeURIComponent(secret)}@h`)).toBe('uri=postgres://u:***@h');
    const json = JSON.stringify({ message: `failed with ${secret}` });
    const scrubbed = r.redact(json);
    expect(JSON.parse(scrubbed)).toEqual({ message: 'failed with ***' });
    expect(r.redact('p@ssXw*rd')).toBe('p@ssXw*rd');
  });

  it('registers the secret values of a connection', () => {
    const r = new SecretRedactor();
    registerSecretValues(r, connection);
    const log = `login AKIAEXAMPLE pw wJalrXUtnFEMI/K7MDENG sak another-secret api k-123456 cs cs-abcdef ` +
      `tok tok-999 pem -----BEGIN----- key just-key region eu-west-1 keep visible id not-secret`;
    expect(r.redact(log)).toBe(
      'login AKIAEXAMPLE pw *** sak *** api *** cs *** tok *** pem *** key *** region eu-west-1 keep visible id not-secret',
    );
  });
});

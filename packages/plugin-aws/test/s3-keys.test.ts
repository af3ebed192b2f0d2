import { describe, expect, it } from 'vitest';
import { joinS3Key, parseS3Url, resolveAwsConnection, s3ClientConfig, validateBucketName, validateS3Key, validateS3Prefix } from '../src/index.js';

describe('S3 key validation', () => {
  it('accepts ordinary partitioned keys', () => {
    expect(validateS3Key('raw/reddit/dt=2026-01-01/part-0.jsonl.gz')).toBe('raw/reddit/dt=2026-01-01/part-0.jsonl.gz');
    expect(validateS3Prefix('')).toBe('');
    expect(validateS3Prefix('raw/')).toBe('raw/');
    expect(joinS3Key('raw/', '/x.json')).toBe('raw/x.json');
  });

  it.each([
    ['', 'must not be empty'],
    ['/leading', "must not start with '/'"],
    ['a/../b', "'..' segments"],
    ['..', "'..' segments"],
    ['a/./b', "'..' segments"],
    ['tab\there', 'control characters'],
    ['new\nline', 'control characters'],
    ['x'.repeat(1025), 'longer than 1024 bytes'],
    ['é'.repeat(513), 'longer than 1024 bytes'],
    ['folder/', "must not end with '/'"],
  ])('rejects %j', (key, message) => {
    expect(() => validateS3Key(key)).toThrow(expect.objectContaining({ name: 'S3KeyError', message: expect.stringContaining(message) }));
  });

  it('checks bucket names and parses s3:// URLs', () => {
    expect(() => validateBucketName('Bad_Bucket')).toThrow(/invalid bucket name/);
    expect(parseS3Url('s3://lake/raw/dt=1/x.jsonl')).toEqual({ bucket: 'lake', key: 'raw/dt=1/x.jsonl' });
    expect(parseS3Url('s3://lake')).toEqual({ bucket: 'lake', key: '' });
    expect(() => parseS3Url('https://lake/x')).toThrow(/not an s3:\/\/ URL/);
    expect(() => parseS3Url('s3://lake/../x')).toThrow(/'\.\.' segments/);
  });
});

describe('aws connection', () => {
  const base = { id: 'aws_default', type: 'aws' };

  it('uses the default credential chain without login/password', async () => {
    const settings = await resolveAwsConnection({ ...base, extra: { region_name: 'eu-west-1' } });
    expect(settings).toEqual({ region: 'eu-west-1', credentials: undefined, endpoint: undefined, forcePathStyle: false });
    expect(s3ClientConfig(settings)).toEqual({ region: 'eu-west-1', forcePathStyle: false });
  });

  it('reads a key pair, session token and an endpoint (string flags from a URI)', async () => {
    const settings = await resolveAwsConnection({
      ...base,
      login: 'AKIA',
      password: 'secret',
      extra: { aws_session_token: 'tok', endpoint_url: 'http://127.0.0.1:9000', force_path_style: 'true' },
    });
    expect(s3ClientConfig(settings)).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'tok' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  it('rejects half a key pair and a bad extra without printing values', async () => {
    await expect(resolveAwsConnection({ ...base, login: 'AKIA', extra: {} })).rejects.toMatchObject({ name: 'AwsConnectionError' });
    const error = (await resolveAwsConnection({ ...base, extra: { endpoint_url: 'not-a-url-secretish' } }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'ConnectionError' });
    expect(error.message).toContain("extra field 'endpoint_url'");
    expect(error.message).not.toContain('secretish');
  });
});

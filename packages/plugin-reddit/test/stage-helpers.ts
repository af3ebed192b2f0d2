import type { FakeRedditServer } from '../src/testing/index.js';
import type { LocalS3Server } from '@sluice/plugin-aws/testing';
import type { S3Hook } from '@sluice/plugin-aws';

/** The environment a DAG run reads its connections from: `reddit_default` and `aws_default` as JSON. */
export function stageEnv(reddit: FakeRedditServer, s3: LocalS3Server): Record<string, string> {
  const c = reddit.connection();
  return {
    ...s3.env(),
    SLUICE_CONN_REDDIT_DEFAULT: JSON.stringify({ conn_type: c.type, login: c.login, password: c.password, extra: c.extra }),
  };
}

/** Every record of a JSON Lines object. */
export async function readBack(hook: S3Hook, bucket: string, key: string, gzip?: boolean): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of hook.readJsonLines(bucket, key, gzip === undefined ? {} : { gzip })) out.push(record);
  return out;
}

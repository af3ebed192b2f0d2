/** The plugin's manifest and `definePlugin` value. */
import { definePlugin, type SluicePlugin } from '@sluice/core';
import { awsConnectionExtraSchema } from './hooks/aws-connection.js';
import { createSecretsManagerBackend, SECRETS_MANAGER_BACKEND_NAME } from './secrets/secrets-manager-backend.js';

/** Package version, kept in step with package.json. */
export const PLUGIN_VERSION = '0.1.0';

/** `@sluice/plugin-aws` as the runtime loads it: manifest plus the Secrets Manager backend factory. */
export const plugin: SluicePlugin = definePlugin({
  manifest: {
    name: '@sluice/plugin-aws',
    version: PLUGIN_VERSION,
    description: 'AWS: S3 hook, staging/copy/move/delete and HTTP-to-S3 operators, S3 sensors, schema crawler, DynamoDB load, Secrets Manager backend',
    operators: [
      { name: 'aws.s3-stage-jsonl', description: 'Stages records to S3 as JSON Lines (optionally gzip) under a templated key' },
      { name: 'aws.s3-copy-prefix', description: 'Copies every object under a prefix to another prefix' },
      { name: 'aws.s3-move-prefix', description: 'Moves every object under a prefix to another prefix' },
      { name: 'aws.s3-delete-prefix', description: 'Deletes every object under a prefix' },
      { name: 'aws.http-to-s3', description: 'Downloads URLs into S3 with a per-host rate limit' },
      { name: 'aws.s3-crawler', description: 'Infers a table schema from objects under an S3 prefix and records it in the catalog (and optionally Glue)' },
      { name: 'aws.s3-to-dynamodb', description: 'Loads JSON Lines from S3 into a DynamoDB table with batched, retried writes' },
    ],
    sensors: [
      { name: 'aws.s3-key-sensor', description: 'Waits until an S3 object exists' },
      { name: 'aws.s3-prefix-sensor', description: 'Waits until a prefix holds at least N objects' },
    ],
    hooks: [
      { name: 'S3Hook', connectionType: 'aws', description: 'S3 objects, listings, JSON Lines, multipart uploads' },
      { name: 'DynamoDbHook', connectionType: 'aws', description: 'DynamoDB key schema and batched writes' },
    ],
    connectionTypes: [
      {
        type: 'aws',
        description: 'AWS account or S3-compatible service; without login/password the default credential chain is used',
        fields: { login: 'AWS access key id', password: 'AWS secret access key' },
        extraSchema: awsConnectionExtraSchema,
      },
    ],
    secretsBackends: [{ name: SECRETS_MANAGER_BACKEND_NAME, description: 'Connections and variables in AWS Secrets Manager' }],
  },
  secretsBackends: { [SECRETS_MANAGER_BACKEND_NAME]: createSecretsManagerBackend },
});

/**
 * `@sluice/plugin-aws`: an S3 hook, S3 operators and sensors, an HTTP-to-S3 transfer, an AWS Secrets
 * Manager secrets backend, a schema crawler (with optional Glue Data Catalog registration) and a DynamoDB
 * load. Test servers live in `@sluice/plugin-aws/testing`.
 * @packageDocumentation
 */
export { AwsConnectionError, JsonLinesError, S3KeyError, S3OperationError, SecretsManagerBackendError } from './errors.js';
export {
  DEFAULT_AWS_CONNECTION_ID,
  DEFAULT_ENDPOINT_REGION,
  awsConnectionExtraSchema,
  resolveAwsConnection,
  awsClientConfig,
  s3ClientConfig,
  type AwsCredentials,
  type AwsConnectionSettings,
} from './hooks/aws-connection.js';
export {
  S3Hook,
  DELETE_BATCH_SIZE,
  type AwsHookContext,
  type S3ObjectSummary,
  type S3PutOptions,
  type JsonLinesWriteResult,
} from './hooks/s3.js';
export {
  MAX_S3_KEY_BYTES,
  validateS3Key,
  validateS3Prefix,
  validateBucketName,
  joinS3Key,
  parseS3Url,
  formatS3Url,
  keyDirectory,
  type S3Location,
} from './hooks/s3-keys.js';
export { jsonLinesStream, parseJsonLines, type RecordSource, type JsonLinesCounts } from './hooks/json-lines.js';
export { s3StageJsonLines, s3StageJsonLinesFields, stageJsonLines, type StageJsonLinesOutput, type StageJsonLinesTarget } from './operators/s3-stage-jsonl.js';
export {
  s3CopyPrefix,
  s3MovePrefix,
  s3DeletePrefix,
  s3CopyPrefixFields,
  s3DeletePrefixFields,
  type CopyPrefixOutput,
} from './operators/s3-prefix-operators.js';
export {
  httpToS3,
  httpToS3Fields,
  keyForUrl,
  type HttpToS3Output,
  type TransferredUrl,
  type SkippedUrl,
} from './operators/http-to-s3.js';
export { s3KeySensor, s3PrefixSensor, s3KeySensorFields, s3PrefixSensorFields } from './sensors/s3-sensors.js';
export { HostRateLimiter, sleep } from './transfers/host-rate-limiter.js';
export { mapWithConcurrency } from './transfers/concurrency.js';
export { downloadUrl, type DownloadOptions, type DownloadedBody, type DownloadSkipped } from './transfers/http-download.js';
export {
  SecretsManagerBackend,
  createSecretsManagerBackend,
  secretsManagerBackendOptionsSchema,
  SECRETS_MANAGER_BACKEND_NAME,
  type SecretsManagerBackendOptions,
  type SecretsManagerBackendRuntime,
} from './secrets/secrets-manager-backend.js';
export * from './crawler/index.js';
export * from './dynamodb/index.js';
export { registerGlueTable, type GlueTableInput } from './glue/glue-catalog.js';
export { hiveType, glueColumns, glueFormat } from './glue/hive-types.js';
export { plugin, PLUGIN_VERSION } from './plugin.js';

/** Plugin name, as it appears in the plugin manifest. */
export const pluginName = '@sluice/plugin-aws';

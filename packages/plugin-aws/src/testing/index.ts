/**
 * `@sluice/plugin-aws/testing`: real local servers for tests and offline demos: s3rver (S3), dynalite
 * (DynamoDB), and Secrets Manager and Glue stand-ins speaking the AWS JSON protocol. `s3rver` and `dynalite`
 * must be installed (dev dependencies).
 * @packageDocumentation
 */
export {
  startS3Server,
  S3RVER_ACCESS_KEY_ID,
  S3RVER_SECRET_ACCESS_KEY,
  type LocalS3Server,
  type StartS3ServerOptions,
} from './s3-server.js';
export { startSecretsManagerServer, type LocalSecretsManagerServer } from './secrets-manager-server.js';
export { startDynamoDbServer, DYNALITE_ACCESS_KEY_ID, DYNALITE_SECRET_ACCESS_KEY, type LocalDynamoDbServer } from '../dynamodb/testing.js';
export { startGlueServer, type LocalGlueServer } from './glue-server.js';

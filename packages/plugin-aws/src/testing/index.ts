/**
 * `@sluice/plugin-aws/testing`: real local servers for tests and offline demos: s3rver (S3) and a
 * Secrets Manager stand-in speaking the AWS JSON protocol. `s3rver` must be installed (a dev dependency).
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

/**
 * A small real HTTP server speaking Secrets Manager's JSON protocol (`X-Amz-Target:
 * secretsmanager.GetSecretValue`, AWS JSON 1.1), enough for the AWS SDK and the Secrets Manager backend.
 * Signatures are not verified.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerBackendOptions } from '../secrets/secrets-manager-backend.js';
import { readBody, replyJson as reply } from './aws-json-protocol.js';

/** A running Secrets Manager stand-in. */
export interface LocalSecretsManagerServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stores (or replaces) a secret string under `name`. */
  setSecret(name: string, value: string): void;
  /** Removes a secret. */
  deleteSecret(name: string): void;
  /** Makes reads of `name` fail with an AWS error type, e.g. `AccessDeniedException` (`undefined` clears). */
  setFailure(name: string, errorType: string | undefined): void;
  /** Secret ids requested so far, in order. */
  readonly requests: readonly string[];
  /** Backend options pointing at this server (merge in prefixes, ttlMs). */
  backendOptions(extra?: SecretsManagerBackendOptions): SecretsManagerBackendOptions;
  /** A new SDK client for this server (destroy it when done). */
  createClient(): SecretsManagerClient;
  /** Stops the server and closes open sockets. */
  stop(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1, port 0. */
export async function startSecretsManagerServer(): Promise<LocalSecretsManagerServer> {
  const secrets = new Map<string, { value: string; created: number }>();
  const failures = new Map<string, string>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'secretsmanager.GetSecretValue') {
        return reply(res, 400, { __type: 'UnknownOperationException', message: `unsupported operation ${target}` }, 'UnknownOperationException');
      }
      let secretId = '';
      try {
        secretId = String((JSON.parse(text) as { SecretId?: unknown }).SecretId ?? '');
      } catch {
        return reply(res, 400, { __type: 'ValidationException', message: 'request body is not JSON' }, 'ValidationException');
      }
      requests.push(secretId);
      const failure = failures.get(secretId);
      if (failure) return reply(res, 400, { __type: failure, message: `simulated ${failure}` }, failure);
      const secret = secrets.get(secretId);
      if (!secret) {
        const message = "Secrets Manager can't find the specified secret.";
        return reply(res, 400, { __type: 'ResourceNotFoundException', message }, 'ResourceNotFoundException');
      }
      reply(res, 200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretId}-AbCdEf`,
        Name: secretId,
        SecretString: secret.value,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.created,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  return {
    endpoint,
    requests,
    setSecret: (name, value) => void secrets.set(name, { value, created: Math.floor(Date.now() / 1000) }),
    deleteSecret: (name) => void secrets.delete(name),
    setFailure: (name, errorType) => void (errorType ? failures.set(name, errorType) : failures.delete(name)),
    backendOptions: (extra = {}) => ({ endpoint, region: 'us-east-1', ...credentials, ...extra }),
    createClient: () => new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

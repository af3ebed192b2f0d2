/**
 * A {@link SecretsBackend} on AWS Secrets Manager (Airflow's `SecretsManagerBackend`): connections and
 * variables stored as secrets named `<prefix>/<id>`.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseConnectionJson, parseConnectionUri, systemClock, type Clock, type Connection, type SecretsBackend } from '@sluice/core';
import { z } from 'zod';
import { SecretsManagerBackendError } from '../errors.js';
import { awsClientConfig } from '../hooks/aws-connection.js';

/** Name of the backend in `SLUICE_SECRETS_BACKENDS` and in the manifest. */
export const SECRETS_MANAGER_BACKEND_NAME = 'aws-secrets-manager';

/** Options of the backend as configured in `SLUICE_SECRETS_BACKENDS` (JSON). */
export const secretsManagerBackendOptionsSchema = z.object({
  /** Prefix of connection secrets; `null` disables connection lookups. Default `sluice/connections`. */
  connectionsPrefix: z.string().min(1).nullable().default('sluice/connections'),
  /** Prefix of variable secrets; `null` disables variable lookups. Default `sluice/variables`. */
  variablesPrefix: z.string().min(1).nullable().default('sluice/variables'),
  /** Separator between prefix and id. Default `/`. */
  sep: z.string().default('/'),
  /** How long a value (or a miss) is reused, in ms. Default 60 000; 0 disables the cache. */
  ttlMs: z.number().int().min(0).default(60_000),
  /** Region; default from the environment (AWS_REGION). */
  region: z.string().min(1).optional(),
  /** Endpoint of a Secrets Manager stand-in, e.g. the test kit's server. */
  endpoint: z.url().optional(),
  /** Static credentials; default: the AWS default credential chain. */
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  sessionToken: z.string().min(1).optional(),
});

/** Options written by the user (defaults may be left out). */
export type SecretsManagerBackendOptions = z.input<typeof secretsManagerBackendOptionsSchema>;

/** Things tests and embedders pass in code, not JSON. */
export interface SecretsManagerBackendRuntime {
  /** A client to use instead of building one from the options. */
  client?: SecretsManagerClient;
  /** Source of "now" for the cache. */
  clock?: Clock;
}

interface CacheEntry {
  value: string | undefined;
  storedAt: number;
}

/**
 * Reads connections from `<connectionsPrefix>/<id>` and variables from `<variablesPrefix>/<key>`. A
 * connection secret is a URI (`postgres://user:pass@host:5432/db`) or JSON with Airflow's aliases
 * (login|user|username, password|pass|key, host|remote_host|server, conn_type|connection_type|engine, …).
 * Set the prefixes to `airflow/connections` and `airflow/variables` to read secrets written for Airflow.
 * A missing secret (`ResourceNotFoundException`) returns `undefined`, so the next backend is tried.
 * Values and misses are cached for `ttlMs`. Secret values never appear in logs or error messages.
 */
export class SecretsManagerBackend implements SecretsBackend {
  /** Backend name shown in logs and errors. */
  readonly name = SECRETS_MANAGER_BACKEND_NAME;
  private readonly options: z.output<typeof secretsManagerBackendOptionsSchema>;
  private readonly client: SecretsManagerClient;
  private readonly clock: Clock;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: SecretsManagerBackendOptions = {}, runtime: SecretsManagerBackendRuntime = {}) {
    const parsed = secretsManagerBackendOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SecretsManagerBackendError(`aws-secrets-manager option '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}`);
    }
    this.options = parsed.data;
    const { accessKeyId, secretAccessKey, sessionToken, region, endpoint } = parsed.data;
    if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
      throw new SecretsManagerBackendError("aws-secrets-manager options: give both 'accessKeyId' and 'secretAccessKey', or neither");
    }
    this.client =
      runtime.client ??
      new SecretsManagerClient(
        awsClientConfig({
          region: region ?? (endpoint ? 'us-east-1' : undefined),
          endpoint,
          forcePathStyle: false,
          credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
        }),
      );
    this.clock = runtime.clock ?? systemClock;
  }

  /** The connection stored under `<connectionsPrefix>/<id>`, or `undefined`. */
  async getConnection(id: string): Promise<Connection | undefined> {
    if (this.options.connectionsPrefix === null) return undefined;
    const value = await this.read(`${this.options.connectionsPrefix}${this.options.sep}${id}`);
    if (value === undefined) return undefined;
    return value.trimStart().startsWith('{') ? parseConnectionJson(id, value) : parseConnectionUri(id, value);
  }

  /** The variable stored under `<variablesPrefix>/<key>`, or `undefined`. */
  async getVariable(key: string): Promise<string | undefined> {
    if (this.options.variablesPrefix === null) return undefined;
    return this.read(`${this.options.variablesPrefix}${this.options.sep}${key}`);
  }

  /** Forgets cached values. */
  clearCache(): void {
    this.cache.clear();
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private async read(secretId: string): Promise<string | undefined> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(secretId);
    if (cached && now - cached.storedAt < this.options.ttlMs) return cached.value;
    const value = await this.fetch(secretId);
    if (this.options.ttlMs > 0) this.cache.set(secretId, { value, storedAt: now });
    return value;
  }

  private async fetch(secretId: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (response.SecretString !== undefined) return response.SecretString;
      if (response.SecretBinary !== undefined) return Buffer.from(response.SecretBinary).toString('utf8');
      return undefined;
    } catch (error) {
      const name = (error as Error)?.name ?? 'Error';
      if (name === 'ResourceNotFoundException') return undefined;
      // The SDK's messages describe the request, never the secret's value.
      throw new SecretsManagerBackendError(`aws-secrets-manager: reading secret '${secretId}' failed: ${name}`, { cause: error });
    }
  }
}

/** The factory registered in the plugin (`backend: "aws-secrets-manager"`): validates options, builds the backend. */
export function createSecretsManagerBackend(options: unknown): SecretsBackend {
  return new SecretsManagerBackend((options ?? {}) as SecretsManagerBackendOptions);
}

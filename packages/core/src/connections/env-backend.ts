import { ConnectionError, isErrorNamed } from '../errors.js';
import { parseConnectionValue } from './connection-uri.js';
import type { Connection, SecretsBackend } from './types.js';

/** Options of {@link EnvironmentSecretsBackend}. */
export interface EnvironmentSecretsBackendOptions {
  /** Prefix of connection variables. Default `SLUICE_CONN_` (`AIRFLOW_CONN_` reads Airflow's). */
  connectionPrefix?: string;
  /** Prefix of variable variables. Default `SLUICE_VAR_` (`AIRFLOW_VAR_` reads Airflow's). */
  variablePrefix?: string;
}

/**
 * Reads connections from `SLUICE_CONN_<ID>` (a URI or JSON) and variables from `SLUICE_VAR_<KEY>`, the id
 * or key uppercased like Airflow's environment backend. An unset or empty connection variable falls
 * through to the next backend; a malformed one is a ConnectionError naming the environment variable.
 */
export class EnvironmentSecretsBackend implements SecretsBackend {
  readonly name = 'environment';
  private readonly connectionPrefix: string;
  private readonly variablePrefix: string;

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
    options: EnvironmentSecretsBackendOptions = {},
  ) {
    this.connectionPrefix = options.connectionPrefix ?? 'SLUICE_CONN_';
    this.variablePrefix = options.variablePrefix ?? 'SLUICE_VAR_';
  }

  /** The environment variable name that holds connection `id`. */
  connectionVariableName(id: string): string {
    return `${this.connectionPrefix}${id.toUpperCase()}`;
  }

  /** The environment variable name that holds variable `key`. */
  variableVariableName(key: string): string {
    return `${this.variablePrefix}${key.toUpperCase()}`;
  }

  /** The connection from `SLUICE_CONN_<ID>`, or `undefined` when unset or empty. */
  async getConnection(id: string): Promise<Connection | undefined> {
    const name = this.connectionVariableName(id);
    const value = this.read(name);
    if (value === undefined || value.trim() === '') return undefined;
    try {
      return parseConnectionValue(id, value);
    } catch (error) {
      if (!isErrorNamed(error, 'ConnectionError')) throw error;
      throw new ConnectionError(`${(error as Error).message} (from environment variable ${name})`);
    }
  }

  /** The value of `SLUICE_VAR_<KEY>`, or `undefined` when unset. */
  async getVariable(key: string): Promise<string | undefined> {
    return this.read(this.variableVariableName(key));
  }

  private read(name: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.env, name) ? this.env[name] : undefined;
  }
}

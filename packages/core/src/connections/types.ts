/** A connection to an external system (Airflow's Connection). */
export interface Connection {
  /** Connection id, e.g. `reddit_default`. */
  id: string;
  /** Connection type, e.g. `postgres`, `aws`, `reddit`, `http`. */
  type: string;
  host?: string | undefined;
  port?: number | undefined;
  login?: string | undefined;
  /** Secret: redacted everywhere it could be printed. */
  password?: string | undefined;
  /** Database / schema name (Airflow's `schema`). */
  schema?: string | undefined;
  /** Free-form JSON settings; plugins validate their own keys with zod. */
  extra: Record<string, unknown>;
}

/** A source of connections and variables, consulted in order by the resolver chain. */
export interface SecretsBackend {
  /** Short name used in logs and errors, e.g. `environment`, `metadata-store`, `aws-secrets-manager`. */
  readonly name: string;
  /** The connection with this id, or `undefined` to fall through to the next backend. */
  getConnection(id: string): Promise<Connection | undefined>;
  /** The variable with this key, or `undefined` to fall through to the next backend. */
  getVariable(key: string): Promise<string | undefined>;
}

/**
 * A small real HTTP server speaking the AWS Glue Data Catalog's JSON protocol for what the crawler uses
 * (`AWSGlue.GetDatabase`, `CreateDatabase`, `GetTable`, `CreateTable`, `UpdateTable`), keeping tables in
 * memory. Signatures are not verified.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GlueClient } from '@aws-sdk/client-glue';
import { readBody, replyError, replyJson } from './aws-json-protocol.js';

/** A running Glue stand-in. */
export interface LocalGlueServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stored tables by `database.table` (the TableInput the client sent, with a version count). */
  readonly tables: ReadonlyMap<string, { input: Record<string, unknown>; versions: number }>;
  readonly databases: ReadonlySet<string>;
  /** A new SDK client for this server (destroy it when done). */
  createClient(): GlueClient;
  /** Connection JSON for an `aws` connection pointing at this server. */
  connectionJson(): string;
  stop(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1, port 0. */
export async function startGlueServer(): Promise<LocalGlueServer> {
  const databases = new Set<string>();
  const tables = new Map<string, { input: Record<string, unknown>; versions: number }>();
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>;
      } catch {
        return replyError(res, 'InvalidInputException', 'request body is not JSON');
      }
      const db = String(body.DatabaseName ?? body.Name ?? '');
      switch (op) {
        case 'GetDatabase':
          return databases.has(db) ? replyJson(res, 200, { Database: { Name: db } }) : replyError(res, 'EntityNotFoundException', `Database ${db} not found.`);
        case 'CreateDatabase': {
          const name = String((body.DatabaseInput as { Name?: unknown } | undefined)?.Name ?? '');
          if (databases.has(name)) return replyError(res, 'AlreadyExistsException', `Database ${name} already exists.`);
          databases.add(name);
          return replyJson(res, 200, {});
        }
        case 'GetTable': {
          const t = tables.get(`${String(body.DatabaseName)}.${String(body.Name)}`);
          return t ? replyJson(res, 200, { Table: { ...t.input, DatabaseName: body.DatabaseName } }) : replyError(res, 'EntityNotFoundException', `Table ${String(body.Name)} not found.`);
        }
        case 'CreateTable':
        case 'UpdateTable': {
          const input = (body.TableInput ?? {}) as Record<string, unknown>;
          const key = `${String(body.DatabaseName)}.${String(input.Name)}`;
          if (!databases.has(String(body.DatabaseName))) return replyError(res, 'EntityNotFoundException', `Database ${String(body.DatabaseName)} not found.`);
          const existing = tables.get(key);
          if (op === 'CreateTable' && existing) return replyError(res, 'AlreadyExistsException', `Table ${String(input.Name)} already exists.`);
          if (op === 'UpdateTable' && !existing) return replyError(res, 'EntityNotFoundException', `Table ${String(input.Name)} not found.`);
          tables.set(key, { input, versions: (existing?.versions ?? 0) + 1 });
          return replyJson(res, 200, {});
        }
        default:
          return replyError(res, 'UnknownOperationException', `unsupported operation ${op}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  return {
    endpoint,
    tables,
    databases,
    createClient: () => new GlueClient({ endpoint, region: 'us-east-1', credentials }),
    connectionJson: () =>
      JSON.stringify({ conn_type: 'aws', login: credentials.accessKeyId, password: credentials.secretAccessKey, extra: { endpoint_url: endpoint, region_name: 'us-east-1' } }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

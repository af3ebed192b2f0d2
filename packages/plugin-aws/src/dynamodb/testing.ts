/**
 * A real DynamoDB-compatible server (dynalite, in memory) on loopback, for tests and offline demos.
 * `dynalite` must be installed (a dev dependency of this package).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient, type ScalarAttributeType } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Connection } from '@sluice/core';
import { awsClientConfig, DEFAULT_AWS_CONNECTION_ID } from '../hooks/aws-connection.js';
import type { KeyAttribute } from './key-schema.js';

/** Access key id the test connections carry (dynalite does not check signatures). */
export const DYNALITE_ACCESS_KEY_ID = 'DYNALITE';
/** Secret access key the test connections carry. */
export const DYNALITE_SECRET_ACCESS_KEY = 'DYNALITE';

/** A key attribute for {@link LocalDynamoDbServer.createTable}: a name (type `S`) or a name and type. */
export type KeyAttributeInput = string | KeyAttribute;

/** The primary key of a table to create. */
export interface TableKeyInput {
  partitionKey: KeyAttributeInput;
  sortKey?: KeyAttributeInput | undefined;
}

/** A running local DynamoDB server. */
export interface LocalDynamoDbServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** An `aws` connection pointing at this server. */
  connection(id?: string): Connection;
  /** The same connection as JSON, for `SLUICE_CONN_<ID>`. */
  connectionJson(): string;
  /** `{ SLUICE_CONN_<ID>: json }` for `testDag({ env })` or a child process. */
  env(id?: string): Record<string, string>;
  /** A new document client for this server (destroy it when done). */
  createClient(): DynamoDBDocumentClient;
  /** Creates an on-demand table with this key; it is ACTIVE when this returns. */
  createTable(name: string, key: TableKeyInput): Promise<void>;
  /** Every item of a table (all Scan pages), as plain values. */
  scan(table: string): Promise<Record<string, unknown>[]>;
  /** Closes open sockets and stops the server; the data is gone. */
  stop(): Promise<void>;
}

type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

function keyAttribute(input: KeyAttributeInput): KeyAttribute {
  return typeof input === 'string' ? { name: input, type: 'S' } : input;
}

/** Starts dynalite (in memory, tables active at once) on 127.0.0.1 and an ephemeral port. */
export async function startDynamoDbServer(): Promise<LocalDynamoDbServer> {
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const extra = { endpoint_url: endpoint, region_name: 'us-east-1' };
  const connectionJson = (): string =>
    JSON.stringify({ conn_type: 'aws', login: DYNALITE_ACCESS_KEY_ID, password: DYNALITE_SECRET_ACCESS_KEY, extra });
  const createClient = (): DynamoDBDocumentClient =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient(
        awsClientConfig({
          region: 'us-east-1',
          endpoint,
          forcePathStyle: false,
          credentials: { accessKeyId: DYNALITE_ACCESS_KEY_ID, secretAccessKey: DYNALITE_SECRET_ACCESS_KEY },
        }),
      ),
    );
  const withClient = async <T>(use: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> => {
    const client = createClient();
    try {
      return await use(client);
    } finally {
      client.destroy();
    }
  };
  return {
    endpoint,
    port,
    connection: (id = DEFAULT_AWS_CONNECTION_ID) => ({
      id,
      type: 'aws',
      login: DYNALITE_ACCESS_KEY_ID,
      password: DYNALITE_SECRET_ACCESS_KEY,
      extra: { ...extra },
    }),
    connectionJson,
    env: (id = DEFAULT_AWS_CONNECTION_ID) => ({ [`SLUICE_CONN_${id.toUpperCase()}`]: connectionJson() }),
    createClient,
    async createTable(name, key) {
      const attributes = [keyAttribute(key.partitionKey), ...(key.sortKey === undefined ? [] : [keyAttribute(key.sortKey)])];
      await withClient((client) =>
        client.send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: attributes.map((a, i) => ({ AttributeName: a.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
            AttributeDefinitions: attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type as ScalarAttributeType })),
          }),
        ),
      );
    },
    async scan(table) {
      return withClient(async (client) => {
        const items: Record<string, unknown>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
          items.push(...(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
        return items;
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

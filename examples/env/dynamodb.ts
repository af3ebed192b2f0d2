/**
 * The DynamoDB stand-in: dynalite with its tables on disk (LevelDB in the state folder), so a restart keeps
 * the loaded items. The test kit's `startDynamoDbServer` keeps tables in memory; this one persists them.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { DYNALITE_ACCESS_KEY_ID, DYNALITE_SECRET_ACCESS_KEY } from '@sluice/plugin-aws/testing';
import { listenOn } from './ports.js';

/** A running DynamoDB stand-in. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** An `aws` connection (JSON) pointing at it. */
  connectionJson(): string;
  /** A new client (destroy it when done). */
  createClient(): DynamoDBClient;
  stop(): Promise<void>;
}

type Dynalite = (options: { path?: string; createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** Starts dynalite on 127.0.0.1:`port` with its data in `directory` and creates the missing `tables` (hash key `id`, a string). */
export async function startDynamoDb(options: { port: number; directory: string; tables: readonly string[] }): Promise<LocalDynamoDb> {
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({ path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOn(server, 'dynamodb', options.port);
  const endpoint = `http://127.0.0.1:${port}`;
  const createClient = (): DynamoDBClient =>
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: DYNALITE_ACCESS_KEY_ID, secretAccessKey: DYNALITE_SECRET_ACCESS_KEY } });
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };
  const client = createClient();
  try {
    for (const table of options.tables) {
      await client
        .send(
          new CreateTableCommand({
            TableName: table,
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ResourceInUseException)) throw error;
        });
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    connectionJson: () =>
      JSON.stringify({
        conn_type: 'aws',
        login: DYNALITE_ACCESS_KEY_ID,
        password: DYNALITE_SECRET_ACCESS_KEY,
        extra: { endpoint_url: endpoint, region_name: 'us-east-1' },
      }),
    createClient,
    stop,
  };
}

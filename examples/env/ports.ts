/**
 * Ports of the example environment: fixed defaults for `pnpm start` (overridable by environment variables),
 * a check that a fixed port is free, and a TCP forwarder that exposes a server listening on an ephemeral port
 * (the test kits' stand-ins) on a fixed one.
 */
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { LocalEnvironmentError } from './errors.js';

/** The stand-ins that listen on a port. */
export type StandIn = 's3' | 'dynamodb' | 'secretsManager' | 'reddit' | 'alerts' | 'media' | 'glue' | 'warehouse';

/** A port per stand-in; 0 means any free port. */
export type Ports = Record<StandIn, number>;

/** Ports `pnpm start` uses unless an environment variable says otherwise. */
export const DEFAULT_PORTS: Readonly<Ports> = {
  s3: 4568,
  dynamodb: 4569,
  secretsManager: 4570,
  reddit: 4571,
  alerts: 4572,
  media: 4573,
  glue: 4574,
  warehouse: 5433,
};

/** Environment variable overriding each default port. */
export const PORT_VARIABLES: Readonly<Record<StandIn, string>> = {
  s3: 'SLUICE_EXAMPLES_S3_PORT',
  dynamodb: 'SLUICE_EXAMPLES_DYNAMODB_PORT',
  secretsManager: 'SLUICE_EXAMPLES_SECRETS_MANAGER_PORT',
  reddit: 'SLUICE_EXAMPLES_REDDIT_PORT',
  alerts: 'SLUICE_EXAMPLES_ALERTS_PORT',
  media: 'SLUICE_EXAMPLES_MEDIA_PORT',
  glue: 'SLUICE_EXAMPLES_GLUE_PORT',
  warehouse: 'SLUICE_EXAMPLES_WAREHOUSE_PORT',
};

/** Every stand-in on any free port (what tests use, so test files can run in parallel). */
export const EPHEMERAL_PORTS: Readonly<Ports> = {
  s3: 0,
  dynamodb: 0,
  secretsManager: 0,
  reddit: 0,
  alerts: 0,
  media: 0,
  glue: 0,
  warehouse: 0,
};

/** The default ports with the overrides found in `env`. @throws LocalEnvironmentError on a value that is no port. */
export function portsFromEnvironment(env: Readonly<Record<string, string | undefined>>): Ports {
  const ports = { ...DEFAULT_PORTS };
  for (const standIn of Object.keys(PORT_VARIABLES) as StandIn[]) {
    const variable = PORT_VARIABLES[standIn];
    const value = env[variable];
    if (value === undefined || value.trim() === '') continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new LocalEnvironmentError(`${variable} must be a port number (0 for any free port), got '${value}'`);
    }
    ports[standIn] = port;
  }
  return ports;
}

/** What a stand-in is called in messages. */
const LABELS: Readonly<Record<StandIn, string>> = {
  s3: 'S3 stand-in (s3rver)',
  dynamodb: 'DynamoDB stand-in (dynalite)',
  secretsManager: 'Secrets Manager stand-in',
  reddit: 'Reddit API stand-in',
  alerts: 'alerts receiver',
  media: 'image host stand-in',
  glue: 'Glue catalog stand-in',
  warehouse: 'warehouse (embedded Postgres)',
};

/** A clear error for a fixed port that is taken. */
export function portInUse(standIn: StandIn, port: number, cause?: unknown): LocalEnvironmentError {
  return new LocalEnvironmentError(
    `port ${port} for the ${LABELS[standIn]} is in use (another 'pnpm start' still running?): stop what listens there or choose another port with ${PORT_VARIABLES[standIn]}=<port>`,
    { cause },
  );
}

/** Listens on 127.0.0.1:`port`; a taken fixed port becomes {@link portInUse}. Returns the port listened on. */
export async function listenOn(server: Server, standIn: StandIn, port: number): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(standIn, port, error);
    throw error;
  }
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** Throws {@link portInUse} when a fixed port is taken (port 0 always passes). */
export async function assertPortFree(standIn: StandIn, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOn(probe, standIn, port);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** A running TCP forwarder. */
export interface TcpForwarder {
  readonly port: number;
  stop(): Promise<void>;
}

/** Accepts connections on 127.0.0.1:`port` and pipes each to 127.0.0.1:`targetPort`. */
export async function forwardPort(standIn: StandIn, port: number, targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listening = await listenOn(server, standIn, port);
  return {
    port: listening,
    async stop() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

import type { Command } from 'commander';
import pc from 'picocolors';
import type { ApiServer, ApiServerOptions } from '../../api/server.js';
import { isErrorNamed, StoreError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Database } from '../../store/database.js';
import { openRuntime } from '../runtime.js';

/** Options shared by `sluice webserver` and `sluice scheduler` for the API server. */
export interface WebserverCliOptions {
  host: string;
  port: string;
  auth?: boolean;
}

/** Adds `--host`, `--port` and `--auth` to a command. */
export function addWebserverOptions(command: Command): Command {
  return command
    .option('--host <address>', 'address the API and web UI listen on (non-loopback needs --auth)', '127.0.0.1')
    .option('--port <port>', 'port of the API and web UI (env SLUICE_API_PORT)', process.env.SLUICE_API_PORT || '8080')
    .option('--auth', 'require a token (sluice tokens create) for the API and the UI');
}

/** Starts the API server with the CLI options and prints where it listens. */
export async function startWebserverFromCli(
  o: WebserverCliOptions,
  deps: { db: Database; logger: Logger } & Partial<ApiServerOptions>,
): Promise<ApiServer> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ValidationError(`--port must be a port number, got ${o.port}`, 'port');
  // Loaded on demand so other commands do not pay for the API's modules at startup.
  const { startApiServer } = await import('../../api/server.js');
  const server = await startApiServer({ ...deps, host: o.host, port, auth: { required: o.auth ?? false } });
  process.stderr.write(`${pc.bold('web UI and API')} ${server.url}/ ${o.auth ? '(token auth)' : '(no auth: loopback only)'}\n`);
  return server;
}

/** `sluice webserver`: the API and web UI alone, for deployments where the scheduler runs elsewhere. */
export function registerWebserverCommand(program: Command): void {
  addWebserverOptions(
    program
      .command('webserver')
      .description('serve the REST API and web UI alone (the scheduler serves them too; this needs a Postgres store shared with it)'),
  ).action(async (o: WebserverCliOptions) => {
    let rt;
    try {
      rt = await openRuntime({ logLevel: 'info' });
    } catch (error) {
      if (isErrorNamed(error, 'StoreError') && /in use by process/.test((error as Error).message)) {
        throw new StoreError(`${(error as Error).message} 'sluice scheduler' already serves the web UI (see --port); a separate webserver needs Postgres.`, {
          cause: error,
        });
      }
      throw error;
    }
    if (rt.db.kind === 'pglite') process.stderr.write(`${pc.yellow('note')} embedded store: no scheduler can run while this webserver holds it\n`);
    const runtime = rt;
    let server: ApiServer;
    try {
      server = await startWebserverFromCli(o, { db: runtime.db, logger: runtime.logger });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    const stop = (signal: string): void => {
      process.stderr.write(`${signal}: stopping\n`);
      void server
        .close()
        .then(() => runtime.close())
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    await new Promise(() => undefined);
  });
}

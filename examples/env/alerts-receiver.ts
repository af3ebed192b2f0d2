/**
 * A tiny HTTP server standing in for a chat webhook and PagerDuty's Events API v2: it records every JSON POST
 * (any path, e.g. `/hooks/alerts` or `/v2/enqueue`) and answers like PagerDuty (`202 {"status":"success"}`).
 * `GET /` lists what arrived, newest last, so a person can look at the alerts in a browser. With a file, each
 * alert is also appended to it as a JSON line, so alerts survive a restart.
 */
import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOn } from './ports.js';

/** One received alert. */
export interface ReceivedAlert {
  /** Path it was posted to, e.g. `/v2/enqueue`. */
  path: string;
  /** When it arrived (ISO 8601). */
  receivedAt: string;
  /** The parsed JSON body (or the raw text when it was not JSON). */
  body: unknown;
}

/** A running alerts receiver. */
export interface AlertsReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Bodies of the alerts received since start, oldest first. */
  received(): unknown[];
  /** The alerts received since start with path and time, oldest first. */
  requests(): ReceivedAlert[];
  /** Closes the server and its sockets. */
  stop(): Promise<void>;
}

/** Largest body accepted (alerts are small). */
const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the receiver on 127.0.0.1:`port` (0: any free port); `file` gets one JSON line per alert. */
export async function startAlertsReceiver(options: { port?: number; file?: string } = {}): Promise<AlertsReceiver> {
  const alerts: ReceivedAlert[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET') return reply(res, 200, { alerts });
    if (req.method !== 'POST') return reply(res, 405, { status: 'invalid method' });
    const text = await readBody(req);
    if (text === undefined) return reply(res, 413, { status: 'too large' });
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text: a receiver records what it got.
    }
    const alert: ReceivedAlert = { path, receivedAt: new Date().toISOString(), body };
    alerts.push(alert);
    if (options.file) await appendFile(options.file, `${JSON.stringify(alert)}\n`);
    const dedupKey = (body as { dedup_key?: unknown } | null)?.dedup_key;
    reply(res, 202, { status: 'success', message: 'Event processed', dedup_key: typeof dedupKey === 'string' ? dedupKey : `alert-${alerts.length}` });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { status: 'error', message: (error as Error).message }));
  });
  const port = await listenOn(server, 'alerts', options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => alerts.map((a) => a.body),
    requests: () => alerts.map((a) => ({ ...a })),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

/** The body as text, or `undefined` when it is larger than {@link MAX_BODY_BYTES}. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

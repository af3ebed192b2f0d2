import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from '../../src/connections/types.js';
import { NotFoundError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/logger.js';
import type { NotificationEvent, NotifierContext } from '../../src/authoring/task.js';

/** One request the receiver saw. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** How the receiver answers a path: a status, or never. */
export type Answer = { status: number } | 'hang';

/** A real HTTP server on 127.0.0.1 that records JSON bodies and answers per path prefix. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers = new Map<string, Answer>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private port = 0;

  /** Base URL, e.g. `http://127.0.0.1:43210`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get host(): string {
    return `127.0.0.1`;
  }
  get portNumber(): number {
    return this.port;
  }

  /** Answers requests whose path starts with `prefix` this way (longest prefix wins; default 200). */
  answer(prefix: string, answer: Answer): void {
    this.answers.set(prefix, answer);
  }

  reset(): void {
    this.requests.length = 0;
    this.answers.clear();
    this.releaseHanging();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        this.requests.push({ method: req.method ?? '', path, headers: req.headers, body: text ? JSON.parse(text) : undefined });
        const answer = this.answerFor(path);
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: answer.status }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.releaseHanging();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    this.server = undefined;
  }

  private answerFor(path: string): Answer {
    let best: [string, Answer] | undefined;
    for (const entry of this.answers) {
      if (path.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
    }
    return best?.[1] ?? { status: 200 };
  }

  private releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }
}

/** A notifier context resolving connections from `connections`, logging into a MemoryLogger. */
export function notifierContext(connections: Connection[] = []): NotifierContext & { log: MemoryLogger } {
  const byId = new Map(connections.map((c) => [c.id, c]));
  return {
    log: new MemoryLogger(),
    getConnection: async (id) => {
      const connection = byId.get(id);
      if (!connection) throw new NotFoundError(`connection '${id}' not found`);
      return connection;
    },
  };
}

/** A failure event for `etl.extract`, try 2. */
export function failureEvent(overrides: Partial<NotificationEvent> = {}): NotificationEvent {
  return {
    kind: 'failure',
    dagId: 'etl',
    runId: 'scheduled__2026-01-01T00:00:00Z',
    taskId: 'extract',
    tryNumber: 2,
    logicalDate: new Date('2026-01-01T00:00:00Z'),
    error: 'HTTP 503 from api.example.com',
    at: new Date('2026-01-02T00:05:00Z'),
    ...overrides,
  };
}

/**
 * The image host stand-in: answers `GET /<host>/<name>.png` with a small PNG generated from the path (the
 * same path always gives the same bytes, two paths give different images), so the image pipeline downloads
 * real images offline. The Reddit stand-in's posts point their image, gallery and preview URLs here
 * (see `reddit-data.ts`).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';
import { listenOn } from './ports.js';

/** A running image host stand-in. */
export interface MediaServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Images served so far. */
  readonly served: number;
  stop(): Promise<void>;
}

/** Side of the generated square images, in pixels. */
const SIZE = 48;

/** Starts the image host on 127.0.0.1:`port` (0: any free port). Paths not ending in `.png` get a 404. */
export async function startMediaServer(options: { port?: number } = {}): Promise<MediaServer> {
  let served = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !/^\/[\w.-]+\/[\w.-]+\.png$/.test(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('not found');
    }
    const png = generatePng(path);
    served += 1;
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length), 'cache-control': 'max-age=86400' });
    res.end(req.method === 'HEAD' ? undefined : png);
  });
  const port = await listenOn(server, 'media', options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    get served() {
      return served;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A {@link SIZE}×{@link SIZE} RGB PNG: diagonal stripes in two colours derived from `seed`. */
export function generatePng(seed: string): Buffer {
  const digest = createHash('sha256').update(seed).digest();
  const [a, b] = [digest.subarray(0, 3), digest.subarray(3, 6)];
  const stripe = 4 + (digest[6] ?? 0) % 8;
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 3);
    for (let x = 0; x < SIZE; x++) (Math.floor((x + y) / stripe) % 2 === 0 ? a : b).copy(row, 1 + x * 3);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

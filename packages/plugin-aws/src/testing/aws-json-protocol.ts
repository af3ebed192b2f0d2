/** Shared bits of the local servers speaking AWS's JSON 1.1 protocol (`X-Amz-Target` + JSON bodies). */
import type { IncomingMessage, ServerResponse } from 'node:http';

const JSON_TYPE = 'application/x-amz-json-1.1';

/** Sends a JSON 1.1 response; `errorType` also sets the `x-amzn-errortype` header the SDK reads. */
export function replyJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-amzn-requestid': `req-${Date.now()}` };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/** Sends an AWS error (`{ __type, message }`, status 400). */
export function replyError(res: ServerResponse, errorType: string, message: string): void {
  replyJson(res, 400, { __type: errorType, message }, errorType);
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

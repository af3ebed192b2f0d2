import { z } from 'zod';
import type { RouteSpec } from './context.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: ['validation_error', 'not_found', 'conflict', 'unauthorized', 'forbidden', 'internal'] },
        message: { type: 'string' },
        field: { type: 'string', description: 'Dotted path of the offending input field' },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function queryParameters(schema: z.ZodType | undefined): Record<string, unknown>[] {
  if (!schema) return [];
  const properties = (jsonSchema(schema).properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

/**
 * The OpenAPI 3.1 document of the routes registered on the app: paths from the route table (so every
 * route is listed), request bodies and query parameters from their zod schemas, one error shape.
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathParams = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const status = String(r.status ?? 200);
    const operation: Record<string, unknown> = {
      summary: r.summary,
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      parameters: [...pathParams, ...queryParameters(r.query)],
      responses: {
        [status]: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      ...(r.public ? { security: [] } : {}),
    };
    if (r.body) operation.requestBody = { required: false, content: { 'application/json': { schema: jsonSchema(r.body) } } };
    paths[path] = { ...(paths[path] ?? {}), [r.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sluice API', version, description: 'REST API of the Sluice scheduler. Errors are `{ error: { code, message, field? } }`.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from `sluice tokens create` (not needed on a loopback server without --auth)' },
        session: { type: 'apiKey', in: 'cookie', name: 'sluice_session', description: 'UI session; non-GET requests also need X-CSRF-Token' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}

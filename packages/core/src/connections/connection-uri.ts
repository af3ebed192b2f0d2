/**
 * Airflow's two textual connection formats: the URI `type://login:password@host:port/schema?k=v` and
 * JSON with Airflow's field aliases. Errors name the field and the connection id, never the input text
 * (which holds the password).
 */
import { ConnectionError } from '../errors.js';
import { connectionFieldError, normalizeConnectionType, quoteId, validateConnection } from './connection-schema.js';
import type { Connection } from './types.js';

/** The query parameter holding all of `extra` as JSON (Airflow's `__extra__`). */
export const EXTRA_QUERY_KEY = '__extra__';

const SCHEME = /^([A-Za-z][A-Za-z0-9+._-]*):\/\//;

function decode(id: string, field: string, text: string, plusIsSpace = false): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    throw connectionFieldError(id, field, 'has invalid percent-encoding');
  }
}

function parseJsonObject(id: string, field: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse messages quote the input, which may hold secrets: report the field only.
    throw connectionFieldError(id, field, 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw connectionFieldError(id, field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function parseQuery(id: string, query: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  let extraJson: Record<string, unknown> | undefined;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(id, 'extra', eq < 0 ? pair : pair.slice(0, eq), true);
    const value = decode(id, 'extra', eq < 0 ? '' : pair.slice(eq + 1), true);
    if (key === EXTRA_QUERY_KEY) extraJson = parseJsonObject(id, 'extra', value);
    else Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return extraJson ? { ...params, ...extraJson } : params;
}

/**
 * Parses an Airflow connection URI. Login, password, host and schema are percent-decoded (so a password
 * with `@:/` must be written `%40%3A%2F`); the type comes from the scheme (lowercased, `-` → `_`,
 * `postgresql` → `postgres`); query parameters go to `extra` as strings, and `__extra__` holds a JSON
 * object merged over them. A host with its own protocol is written `http://https://host` (Airflow's form).
 * @throws ConnectionError naming the field and the id.
 */
export function parseConnectionUri(id: string, uri: string): Connection {
  if (typeof uri !== 'string') throw connectionFieldError(id, 'uri', 'must be a string');
  const scheme = SCHEME.exec(uri.trim());
  if (!scheme?.[1]) {
    throw new ConnectionError(`connection ${quoteId(id)}: not a connection URI (expected type://login:password@host:port/schema?k=v)`);
  }
  let rest = uri.trim().slice(scheme[0].length);
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  const queryAt = rest.indexOf('?');
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : '';
  rest = queryAt >= 0 ? rest.slice(0, queryAt) : rest;

  const hostProtocol = SCHEME.exec(rest);
  if (hostProtocol) rest = rest.slice(hostProtocol[0].length);
  const slashAt = rest.indexOf('/');
  const netloc = slashAt >= 0 ? rest.slice(0, slashAt) : rest;
  const path = slashAt >= 0 ? rest.slice(slashAt + 1) : '';

  const atIndex = netloc.lastIndexOf('@');
  const userinfo = atIndex >= 0 ? netloc.slice(0, atIndex) : undefined;
  const hostport = atIndex >= 0 ? netloc.slice(atIndex + 1) : netloc;
  const fields: Record<string, unknown> = { id, type: normalizeConnectionType(scheme[1]) };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    fields.login = decode(id, 'login', colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    if (colon >= 0) fields.password = decode(id, 'password', userinfo.slice(colon + 1));
  }

  let host = hostport;
  let port: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw connectionFieldError(id, 'host', "has an unclosed '['");
    host = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after && !after.startsWith(':')) throw connectionFieldError(id, 'host', "has text after ']'");
    port = after ? after.slice(1) : undefined;
  } else {
    const colon = hostport.lastIndexOf(':');
    if (colon >= 0) {
      host = hostport.slice(0, colon);
      port = hostport.slice(colon + 1);
    }
  }
  if (port !== undefined && port !== '') {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw connectionFieldError(id, 'port', 'must be a number from 0 to 65535');
    fields.port = Number(port);
  }
  const decodedHost = decode(id, 'host', host);
  fields.host = hostProtocol ? `${hostProtocol[1]}://${decodedHost}` : decodedHost;
  fields.schema = decode(id, 'schema', path);
  fields.extra = query ? parseQuery(id, query) : {};
  return validateConnection(fields);
}

function encode(id: string, field: string, text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw connectionFieldError(id, field, 'contains invalid Unicode (a lone surrogate)');
  }
}

/**
 * Formats a connection as an Airflow URI that {@link parseConnectionUri} reads back unchanged. `extra`
 * is written as plain query parameters when every value is a string, else as `__extra__=<json>`.
 */
export function formatConnectionUri(c: Connection): string {
  let uri = `${c.type.toLowerCase().replace(/_/g, '-')}://`;
  let host = c.host ?? '';
  const protocol = SCHEME.exec(host);
  if (protocol?.[1]) {
    uri += `${protocol[1]}://`;
    host = host.slice(protocol[0].length);
  }
  if (c.login || c.password) {
    uri += encode(c.id, 'login', c.login ?? '');
    if (c.password) uri += `:${encode(c.id, 'password', c.password)}`;
    uri += '@';
  }
  uri += encode(c.id, 'host', host);
  if (c.port !== undefined) uri += `:${c.port}`;
  if (c.schema) uri += `/${encode(c.id, 'schema', c.schema)}`;
  const entries = Object.entries(c.extra);
  if (entries.length > 0) {
    uri += c.schema ? '?' : '/?';
    const flat = entries.every(([key, value]) => typeof value === 'string' && key !== EXTRA_QUERY_KEY);
    uri += flat
      ? entries.map(([key, value]) => `${encode(c.id, 'extra', key)}=${encode(c.id, 'extra', value as string)}`).join('&')
      : `${EXTRA_QUERY_KEY}=${encode(c.id, 'extra', JSON.stringify(c.extra))}`;
  }
  return uri;
}

/** Airflow's aliases for each connection field in JSON, in order of preference. */
export const CONNECTION_JSON_ALIASES = {
  login: ['login', 'user', 'username', 'user_name'],
  password: ['password', 'pass', 'key'],
  host: ['host', 'remote_host', 'server'],
  port: ['port'],
  schema: ['schema', 'database'],
  type: ['conn_type', 'connection_type', 'engine', 'type'],
  extra: ['extra'],
} as const;

function pick(source: Record<string, unknown>, aliases: readonly string[]): { key: string; value: unknown } | undefined {
  for (const key of aliases) {
    if (Object.prototype.hasOwnProperty.call(source, key) && source[key] !== null && source[key] !== undefined) {
      return { key, value: source[key] };
    }
  }
  return undefined;
}

/**
 * Parses a connection written as JSON (a string or an already parsed object) with Airflow's aliases:
 * login|user|username|user_name, password|pass|key, host|remote_host|server, port, schema|database,
 * conn_type|connection_type|engine|type, extra (an object or a JSON string). Other keys are ignored, as
 * Airflow's secrets backends do. Numbers given for text fields and digit strings for `port` are accepted.
 * @throws ConnectionError naming the field and the id.
 */
export function parseConnectionJson(id: string, json: string | object): Connection {
  const source = typeof json === 'string' ? parseJsonObject(id, 'json', json) : json;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw connectionFieldError(id, 'json', 'must be a JSON object');
  }
  const record = source as Record<string, unknown>;
  const fields: Record<string, unknown> = { id };
  for (const field of ['login', 'password', 'host', 'schema'] as const) {
    const found = pick(record, CONNECTION_JSON_ALIASES[field]);
    if (!found) continue;
    if (typeof found.value === 'number' && Number.isFinite(found.value)) fields[field] = String(found.value);
    else if (typeof found.value === 'string') fields[field] = found.value;
    else throw connectionFieldError(id, found.key, 'must be a string');
  }
  const type = pick(record, CONNECTION_JSON_ALIASES.type);
  if (type && typeof type.value !== 'string') throw connectionFieldError(id, type.key, 'must be a string');
  if (type) fields.type = normalizeConnectionType(type.value as string);
  const port = pick(record, CONNECTION_JSON_ALIASES.port);
  if (port) {
    const text = typeof port.value === 'string' ? port.value.trim() : port.value;
    fields.port = typeof text === 'string' && /^\d{1,5}$/.test(text) ? Number(text) : text === '' ? undefined : text;
  }
  const extra = pick(record, CONNECTION_JSON_ALIASES.extra);
  if (extra) fields.extra = typeof extra.value === 'string' ? (extra.value.trim() ? parseJsonObject(id, 'extra', extra.value) : {}) : extra.value;
  return validateConnection(fields);
}

/** Parses a stored or environment value: JSON when it starts with `{`, else a URI. */
export function parseConnectionValue(id: string, value: string): Connection {
  return value.trimStart().startsWith('{') ? parseConnectionJson(id, value) : parseConnectionUri(id, value);
}

/**
 * Keeping secrets out of output: a redacted copy of a connection for display, and a redactor that scrubs
 * known secret values from any text (task logs, error messages).
 */
import type { Connection } from './types.js';

/** What secrets are replaced with. */
export const REDACTED = '***';

/** Secrets shorter than this are not scrubbed from text (they would mangle unrelated words). */
export const MIN_SECRET_LENGTH = 4;

/** Fragments that mark a key as secret, matched in the key lowercased without `_ - .` and spaces. */
const SECRET_KEY_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'accesskey',
  'authorization',
  'credential',
  'keyfile',
  'serviceaccount',
  'cookie',
];
/** Keys that are secret only when they are the whole name (`key`, not `key_id` or `keyspace`). */
const SECRET_KEYS_EXACT = new Set(['key', 'pass', 'pwd', 'auth', 'sig', 'signature']);

/**
 * True when a key of `extra` (or of any JSON) names a secret: `password`, `client_secret`, `api_key`,
 * `secret_access_key`, `private_key`, `token`, `Authorization`, … matched case- and separator-insensitively.
 */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[\s_.-]/g, '');
  return SECRET_KEYS_EXACT.has(normalized) || SECRET_KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment));
}

const URL_PASSWORD = /([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#@]+)@/g;

/** Replaces the password of URLs such as `https://user:pass@host` inside `text`. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrlPasswords(value);
  if (typeof value !== 'object' || value === null || depth > 32) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const redacted = isSecretKey(key) && item !== null && item !== undefined && item !== '' ? REDACTED : redactValue(item, depth + 1);
    Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A copy of `c` safe to display: `password` → `***`, secret-looking keys of `extra` → `***` at any depth,
 * and passwords embedded in URL strings of `extra` → `***`.
 */
export function redactConnection(c: Connection): Connection {
  const copy: Connection = { ...c, extra: redactValue(c.extra, 0) as Record<string, unknown> };
  if (c.password) copy.password = REDACTED;
  return copy;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * Scrubs registered secret values from text. Each secret is also matched in its percent-encoded and
 * JSON-escaped forms, so it is caught inside URIs and serialised log fields.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers a secret value; values shorter than {@link MIN_SECRET_LENGTH} are ignored. */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    const before = this.secrets.size;
    this.secrets.add(secret);
    this.secrets.add(JSON.stringify(secret).slice(1, -1));
    try {
      this.secrets.add(encodeURIComponent(secret));
      this.secrets.add(encodeURIComponent(secret).replace(/%20/g, '+'));
    } catch {
      // A lone surrogate cannot be percent-encoded; the raw form is still registered.
    }
    if (this.secrets.size !== before) this.pattern = undefined;
  }

  /** How many distinct forms of secrets are registered. */
  get size(): number {
    return this.secrets.size;
  }

  /** `text` with every registered secret (longest first) replaced by `***`. */
  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
  }
}

function collectStrings(value: unknown, into: (text: string) => void, depth: number): void {
  if (typeof value === 'string') into(value);
  else if (typeof value === 'number' || typeof value === 'bigint') into(String(value));
  else if (typeof value === 'object' && value !== null && depth < 32) {
    for (const item of Object.values(value)) collectStrings(item, into, depth + 1);
  }
}

/**
 * Registers a connection's secret values with `redactor`: its password, and every string (at any depth)
 * under a secret-looking key of `extra`.
 */
export function registerSecretValues(redactor: SecretRedactor, connection: Connection): void {
  if (connection.password) redactor.add(connection.password);
  const walk = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || depth > 32) return;
    for (const [key, item] of Object.entries(value)) {
      if (isSecretKey(key)) collectStrings(item, (text) => redactor.add(text), 0);
      else walk(item, depth + 1);
    }
  };
  walk(connection.extra, 0);
}

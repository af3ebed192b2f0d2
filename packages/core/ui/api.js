// @ts-check
/**
 * The REST client of the UI: JSON in and out, the CSRF header on every write when logged in with a cookie
 * session, errors as {@link ApiError} carrying the server's message and field, and a polling hook that
 * keeps a view fresh without reloading the page.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** @typedef {{ runId: string, state: string, logicalDate: string }} RunSummary */
/**
 * @typedef {{ runId: string, dagId: string, state: string, runType: string, logicalDate: string,
 *   dataIntervalStart: string, dataIntervalEnd: string, queuedAt: string, startedAt: string | null,
 *   endedAt: string | null, conf: Record<string, unknown>, backfillId: string | null }} Run
 */
/**
 * @typedef {{ taskId: string, mapIndex: number, state: string, tryNumber: number, maxTries: number,
 *   startedAt: string | null, endedAt: string | null, durationMs: number | null, queue: string, pool: string,
 *   operator: string | null, nextAttemptAt: string | null }} TaskInstance
 */
/** @typedef {Run & { taskInstances: TaskInstance[] }} RunDetail */
/**
 * @typedef {{ attemptId: string, tryNumber: number, state: string, startedAt: string, endedAt: string | null,
 *   hostname: string | null, error: string | null }} Attempt
 */
/** @typedef {{ id: number, at: string, level: string, message: string, fields: Record<string, unknown> | null }} LogLine */
/** @typedef {{ lines: LogLine[], nextAfter: number | null, attemptRunning: boolean }} LogPage */
/**
 * @typedef {{ dagId: string, description: string | null, file: string | null, schedule: string | null,
 *   scheduleDescription: string, timezone: string, paused: boolean, owner: string | null, tags: string[],
 *   nextRun: { logicalDate: string, dataIntervalStart: string, dataIntervalEnd: string, createAfter: string } | null,
 *   lastRun: RunSummary | null, recentRuns: RunSummary[] }} Dag
 */
/**
 * @typedef {{ taskId: string, kind: string, operator: string | null, upstream: string[], triggerRule: string,
 *   retries: number, pool: string, queue: string, group: string | null }} DagTask
 */
/** @typedef {Dag & { tasks: DagTask[], paramsSchema: JsonSchema | null, paramsDefaults: Record<string, unknown> }} DagDetail */
/**
 * @typedef {{ type?: string | string[], properties?: Record<string, JsonSchema>, required?: string[], items?: JsonSchema,
 *   enum?: unknown[], default?: unknown, description?: string, title?: string, minimum?: number, maximum?: number,
 *   minLength?: number, maxLength?: number, pattern?: string, format?: string, anyOf?: JsonSchema[],
 *   'x-order'?: string[] }} JsonSchema
 */
/** @typedef {{ file: string, error: string, recordedAt: string }} ImportError */
/** @typedef {{ state: string, tryNumber: number, mapped: { total: number, byState: Record<string, number> } | null }} GridCell */
/** @typedef {{ runs: Run[], tasks: { taskId: string, group: string | null }[], cells: Record<string, Record<string, GridCell>> }} Grid */
/**
 * @typedef {{ backfillId: string, dagId: string, from: string, to: string, state: string, reprocess: string,
 *   total: number, done: number, failed: number, running: number, createdAt: string }} Backfill
 */
/** @typedef {{ authRequired: boolean, authenticated: boolean, role: string | null, csrfToken: string | null }} Session */

/** An HTTP error answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string | undefined} field dotted path of the offending input, e.g. `conf.subreddit`
   */
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** @type {string | null} */
let csrfToken = null;
/** @type {Set<() => void>} */
const unauthorizedListeners = new Set();

/** @type {string | null} */
let role = null;

/** Remembers the caller's role (`read-only` disables the UI's write controls). @param {string | null} value */
export function setRole(value) {
  role = value;
}

/** True when the session may only read: write controls are disabled (the server refuses them anyway). */
export function isReadOnly() {
  return role === 'read-only';
}

/** Tooltip of a control disabled for a read-only session. */
export const READ_ONLY_TITLE = 'Read-only token: changes are not allowed';

/** Remembers the CSRF token of the cookie session (sent as `X-CSRF-Token` on writes). @param {string | null} token */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Calls `listener` whenever the API answers 401; returns the unsubscribe function. @param {() => void} listener */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => {
    unauthorizedListeners.delete(listener);
  };
}

/** A path segment, encoded. @param {string | number} value */
export function seg(value) {
  return encodeURIComponent(String(value));
}

/**
 * Calls `/api/v1{path}`.
 * @template T
 * @param {string} path
 * @param {{ method?: string, body?: unknown, query?: Record<string, string | number | boolean | null | undefined> }} [options]
 * @returns {Promise<T>}
 */
export async function api(path, options = {}) {
  const method = options.method ?? 'GET';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(`/api/v1${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch (error) {
    throw new ApiError(0, 'network', `cannot reach the Sluice server (${error instanceof Error ? error.message : String(error)})`, undefined);
  }
  const text = await response.text();
  /** @type {unknown} */
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const err = /** @type {{ error?: { code?: string, message?: string, field?: string } } | null} */ (json)?.error;
    if (response.status === 401) for (const listener of unauthorizedListeners) listener();
    throw new ApiError(response.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${response.status} ${response.statusText}`, err?.field);
  }
  return /** @type {T} */ (json);
}

/** A human message for any error. @param {unknown} error */
export function errorMessage(error) {
  if (error instanceof ApiError) return error.status === 403 && error.code === 'forbidden' ? `Not allowed: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Milliseconds between refreshes of a view. */
export const POLL_INTERVAL_MS = 2500;

/**
 * Loads data now and every {@link POLL_INTERVAL_MS} (skipped while the tab is hidden or a load is in
 * flight); keeps the last good data when a refresh fails. Reloads from scratch when `deps` change.
 * @template T
 * @param {() => Promise<T>} load
 * @param {unknown[]} deps
 * @param {{ intervalMs?: number, enabled?: boolean }} [options]
 * @returns {{ data: T | undefined, error: unknown, loading: boolean, reload: () => Promise<void> }}
 */
export function usePoll(load, deps, options = {}) {
  const [data, setData] = useState(/** @type {T | undefined} */ (undefined));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const inFlight = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = generation.current;
    inFlight.current = true;
    try {
      const value = await loadRef.current();
      if (mine !== generation.current) return;
      setData(() => value);
      setError(null);
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      inFlight.current = false;
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  const enabled = options.enabled ?? true;
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  useEffect(() => {
    generation.current += 1;
    setData(undefined);
    setError(null);
    setLoading(true);
    void reload();
    if (!enabled) return undefined;
    const timer = setInterval(() => {
      if (!document.hidden && !inFlight.current) void reload();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [...deps, enabled, intervalMs]);

  return { data, error, loading, reload };
}

/**
 * Runs write actions one at a time and remembers the last error, for buttons that call the API.
 * @returns {{ busy: boolean, error: unknown, run: (action: () => Promise<unknown>) => Promise<boolean>, clearError: () => void }}
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const run = useCallback(
    /** @param {() => Promise<unknown>} action */
    async (action) => {
      setBusy(true);
      setError(null);
      try {
        await action();
        return true;
      } catch (e) {
        setError(e);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  return { busy, error, run, clearError: () => setError(null) };
}

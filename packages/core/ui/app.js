// @ts-check
/** The Sluice web UI: session check, hash routing, page layout. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, onUnauthorized, setCsrfToken, setRole } from './api.js';
import { BackfillsPage } from './backfills.js';
import { DagList } from './dag-list.js';
import { DagPage } from './dag-page.js';
import { html } from './html.js';
import { LoginForm } from './login.js';
import { RunPage } from './run-page.js';
import { TaskPage } from './task-logs.js';

/** @typedef {import('./api.js').Session} Session */
/** @typedef {{ parts: string[], query: URLSearchParams }} Route */

/** The current hash route: `#/dags/x/runs/y?mapIndex=0` → parts `['dags','x','runs','y']`. @returns {Route} */
export function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = raw.split('?');
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  return { parts, query: new URLSearchParams(qs) };
}

/** Re-renders on every hash change. */
function useRoute() {
  const [route, setRoute] = useState(parseRoute);
  useEffect(() => {
    const onChange = () => setRoute(parseRoute());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The page for a route. @param {{ route: Route }} props */
function Page({ route }) {
  const [first, dagId, sub, runId, tasksWord, taskId] = route.parts;
  if (!first) return html`<${DagList} />`;
  if (first === 'backfills') return html`<${BackfillsPage} dagId=${null} />`;
  if (first === 'dags' && dagId) {
    if (sub === 'runs' && runId && tasksWord === 'tasks' && taskId) {
      const mapIndex = Number(route.query.get('mapIndex') ?? '-1');
      const tryParam = route.query.get('try');
      return html`<${TaskPage} dagId=${dagId} runId=${runId} taskId=${taskId} mapIndex=${Number.isInteger(mapIndex) ? mapIndex : -1}
        tryNumber=${tryParam ? Number(tryParam) : null} />`;
    }
    if (sub === 'runs' && runId) return html`<${RunPage} dagId=${dagId} runId=${runId} />`;
    return html`<${DagPage} dagId=${dagId} tab=${sub ?? 'grid'} />`;
  }
  return html`<section class="panel"><h1>Not found</h1><p>No page at <code>${location.hash}</code>. <a href="#/">Back to the DAGs</a></p></section>`;
}

/** Layout, session and login gate. */
function App() {
  const route = useRoute();
  const [session, setSession] = useState(/** @type {Session | null} */ (null));
  const [sessionError, setSessionError] = useState(/** @type {unknown} */ (null));

  const loadSession = async () => {
    try {
      /** @type {Session} */
      const value = await api('/auth/session');
      setCsrfToken(value.csrfToken);
      setRole(value.authenticated ? value.role : null);
      setSession(value);
      setSessionError(null);
    } catch (error) {
      // A server without the auth endpoints needs no login.
      if (error instanceof ApiError && error.status === 404) setSession({ authRequired: false, authenticated: true, role: 'admin', csrfToken: null });
      else setSessionError(error);
    }
  };
  useEffect(() => {
    void loadSession();
    return onUnauthorized(() => setSession((s) => (s ? { ...s, authRequired: true, authenticated: false } : s)));
  }, []);

  const logout = async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    setCsrfToken(null);
    await loadSession();
  };

  let body;
  if (sessionError) body = html`<section class="panel error" role="alert">${errorMessage(sessionError)} <button onClick=${loadSession}>Retry</button></section>`;
  else if (!session) body = html`<p class="muted">Loading…</p>`;
  else if (session.authRequired && !session.authenticated) body = html`<${LoginForm} onLoggedIn=${loadSession} />`;
  else body = html`<${Page} route=${route} />`;

  const section = route.parts[0] ?? '';
  useEffect(() => {
    const names = route.parts.filter((_, i) => i % 2 === 1);
    document.title = names.length > 0 ? `${names.join(' / ')} — Sluice` : section === 'backfills' ? 'Backfills — Sluice' : 'DAGs — Sluice';
  }, [route]);
  return html`
    <header class="topbar">
      <a class="brand" href="#/">Sluice</a>
      <nav aria-label="Main">
        <a href="#/" aria-current=${section === '' || section === 'dags' ? 'page' : undefined}>DAGs</a>
        <a href="#/backfills" aria-current=${section === 'backfills' ? 'page' : undefined}>Backfills</a>
      </nav>
      <span class="spacer"></span>
      ${session?.authRequired && session.authenticated
        ? html`<span class="muted">role: ${session.role}</span> <button class="link" onClick=${logout}>Log out</button>`
        : null}
    </header>
    <main>${body}</main>
  `;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}

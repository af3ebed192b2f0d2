// @ts-check
/** Login with an API token: the server answers with an HttpOnly session cookie and a CSRF token. */
import { useState } from 'preact/hooks';
import { api, errorMessage, setCsrfToken } from './api.js';
import { html } from './html.js';

/** @param {{ onLoggedIn: () => void }} props */
export function LoginForm({ onLoggedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [busy, setBusy] = useState(false);

  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      /** @type {{ role: string, csrfToken: string }} */
      const session = await api('/auth/login', { method: 'POST', body: { token: token.trim() } });
      setCsrfToken(session.csrfToken);
      setToken('');
      onLoggedIn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="panel narrow">
    <h1>Log in</h1>
    <p class="muted">This server requires an API token (create one with <code>sluice tokens create --name NAME --role admin</code>).</p>
    <form onSubmit=${submit} aria-label="Log in">
      <label class="field">
        <span>API token</span>
        <input type="password" autocomplete="current-password" required value=${token}
          onInput=${(/** @type {Event} */ e) => setToken(/** @type {HTMLInputElement} */ (e.currentTarget).value)} />
      </label>
      ${error ? html`<p class="error" role="alert">${errorMessage(error)}</p>` : null}
      <button type="submit" class="primary" disabled=${busy}>Log in</button>
    </form>
  </section>`;
}

// @ts-check
/** One task instance: state, clear action, its attempts, and the live tail of an attempt's log lines. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorMessage, POLL_INTERVAL_MS, seg, usePoll } from './api.js';
import { durationBetween, formatDate, formatDuration, href, html } from './html.js';
import { ClearButton } from './run-page.js';
import { StateBadge, TERMINAL_STATES } from './state-colors.js';

/** @typedef {import('./api.js').Attempt} Attempt */
/** @typedef {import('./api.js').LogLine} LogLine */
/** @typedef {import('./api.js').LogPage} LogPage */
/** @typedef {import('./api.js').RunDetail} RunDetail */

/**
 * The log lines of one attempt, fetched incrementally (`after` the last line seen) every poll interval
 * while the attempt may still write.
 * @param {{ basePath: string, mapIndex: number, tryNumber: number, live: boolean }} props
 */
export function LogTail({ basePath, mapIndex, tryNumber, live }) {
  const [lines, setLines] = useState(/** @type {LogLine[]} */ ([]));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [running, setRunning] = useState(true);
  const after = useRef(/** @type {number | null} */ (null));
  const box = useRef(/** @type {HTMLOListElement | null} */ (null));
  const liveRef = useRef(live);
  liveRef.current = live;

  useEffect(() => {
    let stopped = false;
    let busy = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const fetchMore = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        for (;;) {
          /** @type {LogPage} */
          const page = await api(`${basePath}/logs`, { query: { mapIndex: mapIndex >= 0 ? mapIndex : undefined, tryNumber, after: after.current, limit: 1000 } });
          if (stopped) return;
          setError(null);
          setRunning(page.attemptRunning);
          if (page.lines.length > 0) {
            const el = box.current;
            const atBottom = !el || el.scrollHeight - el.scrollTop - el.clientHeight < 24;
            setLines((old) => [...old, ...page.lines]);
            if (atBottom) requestAnimationFrame(() => box.current && (box.current.scrollTop = box.current.scrollHeight));
          }
          if (page.nextAfter !== null) after.current = page.nextAfter;
          if (page.lines.length < 1000) break;
        }
      } catch (e) {
        if (!stopped) setError(e);
      } finally {
        busy = false;
      }
    };
    const loop = async () => {
      await fetchMore();
      if (!stopped) timer = setTimeout(loop, POLL_INTERVAL_MS);
    };
    after.current = null;
    setLines([]);
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [basePath, mapIndex, tryNumber]);

  return html`<div class="log-view">
    <div class="log-head">
      <strong>Log of try ${tryNumber}</strong>
      ${running && live ? html`<span class="live" aria-live="polite">● live</span>` : null}
      <span class="muted small">${lines.length} line${lines.length === 1 ? '' : 's'}</span>
    </div>
    ${error ? html`<p class="error" role="alert">${errorMessage(error)}</p>` : null}
    <ol class="log" ref=${box} role="log" aria-label=${`Log of try ${tryNumber}`}>
      ${lines.map(
        (l) => html`<li key=${l.id} class=${`log-line level-${l.level}`}>
          <time>${formatDate(l.at).slice(11)}</time> <span class="level">${l.level.toUpperCase()}</span> <span class="msg">${l.message}</span>${l.fields && Object.keys(l.fields).length > 0 ? html` <span class="fields">${JSON.stringify(l.fields)}</span>` : null}
        </li>`,
      )}
      ${lines.length === 0 ? html`<li class="muted">${running ? 'Waiting for log lines…' : 'No log lines.'}</li>` : null}
    </ol>
  </div>`;
}

/** @param {{ dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber: number | null }} props */
export function TaskPage({ dagId, runId, taskId, mapIndex, tryNumber }) {
  const runPath = `/dags/${seg(dagId)}/runs/${seg(runId)}`;
  const basePath = `${runPath}/tasks/${seg(taskId)}`;
  const run = usePoll(() => /** @type {Promise<RunDetail>} */ (api(runPath)), [runPath]);
  const ti = run.data?.taskInstances.find((t) => t.taskId === taskId && t.mapIndex === mapIndex);
  // Attempts are asked for once the instance is known to exist (a mapped task's parent has none).
  const exists = ti !== undefined;
  const attempts = usePoll(
    () =>
      exists
        ? /** @type {Promise<{ attempts: Attempt[] }>} */ (api(`${basePath}/attempts`, { query: { mapIndex: mapIndex >= 0 ? mapIndex : undefined } }))
        : Promise.resolve({ attempts: /** @type {Attempt[]} */ ([]) }),
    [basePath, mapIndex, exists],
  );
  const mappedInstances = mapIndex < 0 && !ti ? (run.data?.taskInstances ?? []).filter((t) => t.taskId === taskId && t.mapIndex >= 0) : [];
  const list = [...(attempts.data?.attempts ?? [])].sort((a, b) => a.tryNumber - b.tryNumber);
  const latest = list[list.length - 1];
  const shownTry = tryNumber ?? latest?.tryNumber ?? null;
  const shown = list.find((a) => a.tryNumber === shownTry);
  const reloadAll = () => {
    void run.reload();
    void attempts.reload();
  };
  const [downstream, setDownstream] = useState(true);
  const tryHref = (/** @type {number} */ n) => {
    const q = new URLSearchParams();
    if (mapIndex >= 0) q.set('mapIndex', String(mapIndex));
    q.set('try', String(n));
    return `${href('dags', dagId, 'runs', runId, 'tasks', taskId)}?${q}`;
  };
  const title = mapIndex >= 0 ? `${taskId}[${mapIndex}]` : taskId;
  return html`<div>
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href="#/">DAGs</a> / <a href=${href('dags', dagId)}>${dagId}</a> / <a href=${href('dags', dagId, 'runs', runId)}>${runId}</a> / <span>${title}</span>
    </nav>
    <div class="page-head">
      <h1>Task ${title}</h1>
      ${ti ? html`<span aria-label="Task state"><${StateBadge} state=${ti.state} /></span>` : null}
      ${ti ? html`<span class="muted">try ${ti.tryNumber} of ${ti.maxTries}</span>` : null}
    </div>
    ${run.error || attempts.error ? html`<p class="error" role="alert">${errorMessage(run.error ?? attempts.error)}</p>` : null}
    ${ti
      ? html`<dl class="facts">
          <div><dt>Started</dt><dd>${formatDate(ti.startedAt)}</dd></div>
          <div><dt>Ended</dt><dd>${formatDate(ti.endedAt)}</dd></div>
          <div><dt>Duration</dt><dd>${formatDuration(ti.durationMs ?? durationBetween(ti.startedAt, ti.endedAt))}</dd></div>
          <div><dt>Operator</dt><dd>${ti.operator ?? '—'}</dd></div>
          <div><dt>Pool / queue</dt><dd>${ti.pool} / ${ti.queue}</dd></div>
          ${ti.nextAttemptAt ? html`<div><dt>Next try</dt><dd>${formatDate(ti.nextAttemptAt)}</dd></div>` : null}
        </dl>`
      : null}
    ${mappedInstances.length > 0
      ? html`<section class="panel" aria-label="Mapped instances">
          <h2>Mapped instances (${mappedInstances.length})</h2>
          <ul class="mapped">
            ${mappedInstances.map(
              (m) => html`<li key=${m.mapIndex}><a href=${`${href('dags', dagId, 'runs', runId, 'tasks', taskId)}?mapIndex=${m.mapIndex}`}>[${m.mapIndex}]</a>
                <${StateBadge} state=${m.state} /></li>`,
            )}
          </ul>
        </section>`
      : null}
    <div class="actions" role="toolbar" aria-label="Task actions">
      <${ClearButton} label="Clear task"
        clear=${(/** @type {boolean} */ dryRun) => api(`${basePath}/clear`, { method: 'POST', body: { ...(mapIndex >= 0 ? { mapIndex } : {}), downstream, dryRun } })}
        onDone=${reloadAll} />
      <label class="inline"><input type="checkbox" checked=${downstream}
        onChange=${(/** @type {Event} */ e) => setDownstream(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} /> with downstream tasks</label>
    </div>
    <section class="panel">
      <h2>Attempts</h2>
      ${list.length === 0 ? html`<p class="muted">No attempt yet.</p>` : null}
      <nav class="tabs small" aria-label="Attempts">
        ${list.map(
          (a) => html`<a key=${a.attemptId} href=${tryHref(a.tryNumber)} aria-current=${a.tryNumber === shownTry ? 'page' : undefined}>
            Try ${a.tryNumber} <${StateBadge} state=${a.state} />
          </a>`,
        )}
      </nav>
      ${shown
        ? html`<div class="attempt">
            <span class="muted small">${formatDate(shown.startedAt)} → ${formatDate(shown.endedAt)}${shown.hostname ? ` on ${shown.hostname}` : ''}</span>
            ${shown.error ? html`<pre class="attempt-error" aria-label="Attempt error">${shown.error}</pre>` : null}
          </div>`
        : null}
      ${shownTry !== null
        ? html`<${LogTail} key=${`${basePath}|${mapIndex}|${shownTry}`} basePath=${basePath} mapIndex=${mapIndex} tryNumber=${shownTry}
            live=${!shown || !shown.endedAt || !TERMINAL_STATES.has(ti?.state ?? 'none')} />`
        : null}
    </section>
  </div>`;
}

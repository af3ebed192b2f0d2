// @ts-check
/** `html` tagged templates bound to preact, and the small formatting helpers every view uses. */
import { h } from 'preact';
import htm from 'htm';

/** JSX-like templates without a build step: html`<div class=${c}>…</div>`. */
export const html = htm.bind(h);

/** `2026-01-02 03:04:05` in UTC, or `—`. @param {string | null | undefined} iso */
export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** `1h 02m`, `3m 04s`, `5.2s`, `120ms`, or `—`. @param {number | null | undefined} ms */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Duration between two ISO dates (the second defaults to now). @param {string | null} start @param {string | null} [end] */
export function durationBetween(start, end) {
  if (!start) return null;
  return (end ? Date.parse(end) : Date.now()) - Date.parse(start);
}

/** A hash link to a route. @param {...(string | number)} parts */
export function href(...parts) {
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}`;
}

// @ts-check
/** Airflow's state colors, and the small state badge and legend used by every view. */
import { html } from './html.js';

/** @type {Readonly<Record<string, string>>} */
export const STATE_COLORS = {
  success: '#008000',
  failed: '#e01b1b',
  running: '#01ff70',
  queued: '#808080',
  up_for_retry: '#ffd700',
  up_for_reschedule: '#40e0d0',
  upstream_failed: '#ffa500',
  skipped: '#ff69b4',
  scheduled: '#d2b48c',
  removed: '#d3d3d3',
  deferred: '#9370db',
  none: '#ffffff',
};

/** States whose color is light: drawn with dark text. */
const LIGHT = new Set(['running', 'up_for_retry', 'up_for_reschedule', 'scheduled', 'removed', 'none', 'skipped', 'upstream_failed']);

/** Terminal task and run states. */
export const TERMINAL_STATES = new Set(['success', 'failed', 'skipped', 'upstream_failed', 'removed']);

/** Fill color of a state. @param {string | null | undefined} state */
export function stateColor(state) {
  return STATE_COLORS[state ?? 'none'] ?? STATE_COLORS.none ?? '#ffffff';
}

/** Text color readable on a state's fill. @param {string | null | undefined} state */
export function stateTextColor(state) {
  return LIGHT.has(state ?? 'none') ? '#1a1a1a' : '#ffffff';
}

/** Inline style of a state-colored box. @param {string | null | undefined} state */
export function stateStyle(state) {
  return { background: stateColor(state), color: stateTextColor(state), borderColor: state && state !== 'none' ? stateColor(state) : '#9a9a9a' };
}

/** A colored pill naming a state. @param {{ state: string | null | undefined }} props */
export function StateBadge({ state }) {
  const s = state ?? 'none';
  return html`<span class="badge" data-state=${s} style=${stateStyle(s)}>${s.replace(/_/g, ' ')}</span>`;
}

/** The color legend. */
export function StateLegend() {
  return html`<ul class="legend" aria-label="State colors">
    ${Object.keys(STATE_COLORS).map(
      (s) => html`<li key=${s}><span class="swatch" style=${stateStyle(s)}></span>${s.replace(/_/g, ' ')}</li>`,
    )}
  </ul>`;
}

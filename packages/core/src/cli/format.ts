import pc from 'picocolors';

/** Colours a task or run state for humans. */
export function colorState(state: string): string {
  switch (state) {
    case 'success':
      return pc.green(state);
    case 'failed':
    case 'upstream_failed':
      return pc.red(state);
    case 'running':
      return pc.cyan(state);
    case 'queued':
    case 'scheduled':
      return pc.blue(state);
    case 'up_for_retry':
    case 'up_for_reschedule':
      return pc.yellow(state);
    case 'skipped':
    case 'removed':
      return pc.magenta(state);
    default:
      return pc.dim(state);
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/** Renders rows as an aligned text table with a header. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - visible(c))).join('  ').trimEnd();
  return [line(headers.map((h) => pc.bold(h))), ...rows.map(line)].join('\n');
}

/** Formats a duration in ms as `1.2s`, `350ms`, `2m 3s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** Formats a date as ISO without milliseconds, or `-`. */
export function formatDate(d: Date | null | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** A one-line progress bar: `[#####-----] 5/10`. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

/** Prints JSON (dates as ISO strings) to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

import { z } from 'zod';
import { parseDuration, type Duration } from './duration.js';

/** Cron presets and their expressions (Airflow's presets). */
export const CRON_PRESETS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/**
 * A DAG schedule as written by users: a cron expression (5 or 6 fields) or preset, `'@once'`,
 * a fixed interval `{ every: '15m' }`, assets `{ assets: ['s3://bucket/prefix'] }`, or `null` (manual only).
 */
export type Schedule = string | { every: Duration } | { assets: readonly string[] } | null;

/** The normalised, serialisable schedule stored with a DAG version. */
export type ScheduleSpec =
  | { kind: 'none' }
  | { kind: 'once' }
  | { kind: 'cron'; expression: string }
  | { kind: 'interval'; everyMs: number }
  | { kind: 'assets'; uris: string[] };

/** zod schema for an asset URI (`scheme://rest`). */
export const assetUriSchema = z
  .string()
  .regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/, 'asset must be a URI such as s3://bucket/prefix');

/** Normalises a user schedule; throws an Error naming the problem. Cron syntax is checked by the scheduler module. */
export function normalizeSchedule(schedule: Schedule | undefined): ScheduleSpec {
  if (schedule === null || schedule === undefined) return { kind: 'none' };
  if (typeof schedule === 'string') {
    const text = schedule.trim();
    if (text === '@once') return { kind: 'once' };
    if (text.startsWith('@')) {
      const expression = CRON_PRESETS[text];
      if (!expression) throw new Error(`unknown schedule preset '${text}' (known: @once, ${Object.keys(CRON_PRESETS).join(', ')})`);
      return { kind: 'cron', expression };
    }
    const fields = text.split(/\s+/);
    if (fields.length !== 5 && fields.length !== 6) {
      throw new Error(`cron expression '${text}' must have 5 or 6 fields, has ${fields.length}`);
    }
    return { kind: 'cron', expression: fields.join(' ') };
  }
  if ('every' in schedule) {
    const everyMs = parseDuration(schedule.every);
    if (everyMs < 1000) throw new Error('schedule.every must be at least 1s');
    return { kind: 'interval', everyMs };
  }
  if ('assets' in schedule) {
    if (schedule.assets.length === 0) throw new Error('schedule.assets must list at least one asset URI');
    return { kind: 'assets', uris: schedule.assets.map((u) => assetUriSchema.parse(u)) };
  }
  throw new Error('schedule must be a cron string, a preset, { every }, { assets } or null');
}

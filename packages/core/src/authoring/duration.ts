import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration: milliseconds as a number, or a string such as `'90s'`, `'15m'`, `'1h30m'`, `'2d'`. */
export type Duration = number | string;

/** Parses a {@link Duration} into milliseconds; throws a plain Error with a readable message if malformed. */
export function parseDuration(value: Duration): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`duration must be a non-negative number of ms, got ${value}`);
    return value;
  }
  const text = value.trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== text.replace(/\s/g, '')) {
    throw new Error(`invalid duration '${value}' (use e.g. '30s', '15m', '1h30m', '2d')`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] as number), 0);
}

/** zod schema accepting a {@link Duration} and producing milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

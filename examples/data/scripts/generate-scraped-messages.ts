/**
 * Generates `examples/data/scraped-messages.csv`: 1,500 synthetic chat messages as a scraper would export
 * them, with the dirt the original pipeline choked on. Deterministic (seeded): running it again writes the
 * same bytes.
 *
 * Columns: `message_id` (integer; a few empty), `channel`, `author_id` (integer, ~10% empty, some of them
 * 18-digit snowflakes that a float would round), `posted_at` (ISO 8601 with `Z` or an offset,
 * `YYYY-MM-DD HH:MM:SS` in UTC, epoch seconds, and a few unparseable values), `message` (quotes, commas,
 * newlines, emoji; ~4% longer than 1,000 characters) and `reactions` (integer, some empty, some written
 * as `12.0` by a float-happy exporter, a few `n/a`).
 *
 *   npx tsx examples/data/scripts/generate-scraped-messages.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { SeededRandom } from '@sluice/plugin-reddit/testing';

const ROWS = 1500;
const SEED = 20260301;
const OUTPUT = fileURLToPath(new URL('../scraped-messages.csv', import.meta.url));

// The Reddit stand-in's seeded generator (mulberry32): the same seed writes the same bytes.
const seeded = new SeededRandom(SEED);
const random = (): number => seeded.next();
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const CHANNELS = ['general', 'random', 'support', 'announcements', 'dev-help', 'off-topic'] as const;
const WORDS = [
  'deploy', 'the', 'pipeline', 'broke', 'again', 'after', 'lunch', 'who', 'changed', 'schema', 'anyone', 'seen',
  'this', 'error', 'before', 'works', 'on', 'my', 'machine', 'release', 'notes', 'are', 'up', 'thanks', 'for',
  'help', 'merged', 'rollback', 'please', 'review', 'tomorrow', 'meeting', 'moved', 'coffee', 'dashboard', 'slow',
] as const;
const EMOJI = ['🎉', '🔥', '👍', '😅', '🚀', '🤔', '✅', '🙏'] as const;

function sentence(words: number): string {
  const text = Array.from({ length: words }, () => pick(WORDS)).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function message(): string {
  const roll = random();
  if (roll < 0.04) {
    // A pasted log or essay: 1,000–3,000 characters, with newlines.
    const target = int(1001, 3000);
    let text = '';
    while (text.length < target) text += `${sentence(int(8, 16))}.${random() < 0.3 ? '\n' : ' '}`;
    return text.slice(0, target);
  }
  if (roll < 0.12) return `He said "${sentence(int(2, 5)).toLowerCase()}", then left, obviously.`;
  if (roll < 0.2) return `${sentence(int(3, 8))}\n${sentence(int(2, 6))}`;
  if (roll < 0.3) return `${sentence(int(2, 6))} ${pick(EMOJI)}${random() < 0.5 ? pick(EMOJI) : ''}`;
  if (roll < 0.35) return `${sentence(int(2, 4))}, ${sentence(int(2, 4)).toLowerCase()}, and ${pick(WORDS)}`;
  return `${sentence(int(3, 14))}${pick(['.', '!', '?', ''])}`;
}

function authorId(): string {
  const roll = random();
  if (roll < 0.1) return '';
  if (roll < 0.3) {
    // A Discord-style snowflake: 18 digits, beyond 2^53 — a float keeps only ~16 of them.
    return `${int(100_000_000, 999_999_999)}${String(int(0, 999_999_999)).padStart(9, '0')}`;
  }
  return String(int(1000, 2_000_000_000));
}

const pad = (n: number): string => String(n).padStart(2, '0');

function postedAt(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const iso = date.toISOString().replace('.000Z', 'Z');
  const roll = random();
  if (roll < 0.03) return pick(['', 'yesterday', '2026-02-30 25:61:00', 'N/A', '31/02/2026']);
  if (roll < 0.45) return iso;
  if (roll < 0.65) return iso.replace('T', ' ').replace('Z', '');
  if (roll < 0.8) return String(epochSeconds);
  // The same instant written with the scraper host's +02:00 offset.
  const local = new Date(date.getTime() + 2 * 3_600_000);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}+02:00`;
}

function reactions(): string {
  const roll = random();
  if (roll < 0.15) return '';
  if (roll < 0.25) return `${int(0, 40)}.0`;
  if (roll < 0.27) return 'n/a';
  return String(random() < 0.8 ? int(0, 5) : int(6, 250));
}

const rows: string[][] = [];
let id = 880_000;
let at = Date.UTC(2026, 2, 1, 8, 0, 0) / 1000;
for (let i = 0; i < ROWS; i++) {
  id += int(1, 7);
  at += int(5, 240);
  rows.push([random() < 0.004 ? '' : String(id), pick(CHANNELS), authorId(), postedAt(at), message(), reactions()]);
}

writeFileSync(OUTPUT, stringify([['message_id', 'channel', 'author_id', 'posted_at', 'message', 'reactions'], ...rows]));
process.stdout.write(`wrote ${rows.length} rows to ${OUTPUT}\n`);

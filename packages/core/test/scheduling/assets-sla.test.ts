import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAssetRunDue } from '../../src/scheduling/assets.js';
import { isSlaMissed } from '../../src/scheduling/sla.js';
import { d } from './helpers.js';

describe('isAssetRunDue', () => {
  const uris = ['s3://bucket/a', 'redshift://c/db/t'];

  it('is due once every asset has an event newer than the last consumed one', () => {
    expect(isAssetRunDue(uris, { 's3://bucket/a': 3, 'redshift://c/db/t': 7 }, { 's3://bucket/a': 4, 'redshift://c/db/t': 8 })).toBe(true);
    expect(isAssetRunDue(uris, { 's3://bucket/a': 3, 'redshift://c/db/t': 7 }, { 's3://bucket/a': 4, 'redshift://c/db/t': 7 })).toBe(false);
  });

  it('treats a never-consumed asset as due once it has any event, and an asset without events as not due', () => {
    expect(isAssetRunDue(uris, {}, { 's3://bucket/a': 1, 'redshift://c/db/t': 1 })).toBe(true);
    expect(isAssetRunDue(uris, {}, { 's3://bucket/a': 1 })).toBe(false);
  });

  it('is never due without assets, and ignores Object.prototype keys', () => {
    expect(isAssetRunDue([], {}, {})).toBe(false);
    expect(isAssetRunDue(['constructor'], {}, {})).toBe(false);
  });

  it('property: due iff each uri has latest > consumed (or latest and no consumed)', () => {
    const idArb = fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined });
    fc.assert(
      fc.property(fc.array(fc.tuple(idArb, idArb), { minLength: 1, maxLength: 4 }), (pairs) => {
        const list = pairs.map((_, i) => `s3://b/${i}`);
        const consumed: Record<string, number> = {};
        const latest: Record<string, number> = {};
        pairs.forEach(([c, l], i) => {
          if (c !== undefined) consumed[`s3://b/${i}`] = c;
          if (l !== undefined) latest[`s3://b/${i}`] = l;
        });
        const expected = pairs.every(([c, l]) => l !== undefined && (c === undefined || l > c));
        expect(isAssetRunDue(list, consumed, latest)).toBe(expected);
      }),
    );
  });
});

describe('isSlaMissed', () => {
  const end = d('2024-01-02T00:00:00Z');
  const hour = 3_600_000;

  it('is never missed without an SLA or once recorded', () => {
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'running' }, undefined, d('2024-02-01T00:00:00Z'))).toBe(false);
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'running', slaMissedAt: d('2024-01-02T01:00:00Z') }, hour, d('2024-02-01T00:00:00Z'))).toBe(false);
  });

  it('an unfinished run misses once now is past dataIntervalEnd + sla', () => {
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'running' }, hour, d('2024-01-02T01:00:00Z'))).toBe(false);
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'running' }, hour, d('2024-01-02T01:00:00.001Z'))).toBe(true);
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'queued', slaMissedAt: null }, hour, d('2024-01-03T00:00:00Z'))).toBe(true);
  });

  it('a finished run misses only if it finished after the deadline', () => {
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'success' }, hour, d('2024-01-03T00:00:00Z'))).toBe(false);
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'success', endDate: d('2024-01-02T00:30:00Z') }, hour, d('2024-01-03T00:00:00Z'))).toBe(false);
    expect(isSlaMissed({ dataIntervalEnd: end, state: 'failed', endDate: d('2024-01-02T02:00:00Z') }, hour, d('2024-01-03T00:00:00Z'))).toBe(true);
  });
});

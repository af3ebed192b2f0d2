import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkJsonSchema } from '../../src/api/json-schema-check.js';
import { computeNextRun } from '../../src/api/next-run.js';
import { dag } from '../../src/authoring/dag.js';

describe('checkJsonSchema (params schema stored with a DAG version)', () => {
  const params = z.object({
    subreddit: z.string().min(2).regex(/^[a-z]+$/),
    limit: z.number().int().min(1).max(100).default(10),
    mode: z.enum(['hot', 'new']).default('hot'),
    tags: z.array(z.string()).default([]),
    since: z.string().nullable().optional(),
    nested: z.object({ flag: z.boolean() }).optional(),
  });
  const schema = z.toJSONSchema(params, { io: 'input' });

  it.each([
    [{ subreddit: 'ab' }, undefined],
    [{ subreddit: 'ab', limit: 5, mode: 'new', tags: ['x'], since: null, nested: { flag: true } }, undefined],
    [{}, 'subreddit: is required'],
    [{ subreddit: 'a' }, 'subreddit: must have at least 2 characters'],
    [{ subreddit: 'AB' }, 'subreddit: must match ^[a-z]+$'],
    [{ subreddit: 'ab', limit: 1.5 }, 'limit: expected integer, got number'],
    [{ subreddit: 'ab', limit: 0 }, 'limit: must be ≥ 1'],
    [{ subreddit: 'ab', mode: 'top' }, 'mode: must be one of "hot", "new"'],
    [{ subreddit: 'ab', tags: ['x', 2] }, 'tags.1: expected string, got integer'],
    [{ subreddit: 'ab', nested: { flag: 'yes' } }, 'nested.flag: expected boolean, got string'],
    [{ subreddit: 'ab', since: 3 }, 'since: expected string or null, got integer'],
  ])('%j → %s', (value, expected) => {
    const problem = checkJsonSchema(schema, value);
    expect(problem ? `${problem.path.join('.')}: ${problem.message}` : undefined).toBe(expected);
  });

  it('the DAG structure carries the params schema (input side), or null when zod cannot represent it', () => {
    const d = dag({ id: 'p', schedule: null, params: z.object({ n: z.number().default(1) }) });
    d.task('a', async () => 1);
    const s = d.structure();
    expect(s.paramsSchema).toMatchObject({ type: 'object', properties: { n: { type: 'number', default: 1 } } });
    expect(s.paramsSchema?.required).toBeUndefined();
    const odd = dag({ id: 'q', schedule: null, params: z.object({ at: z.date().default(new Date(0)) }) });
    odd.task('a', async () => 1);
    expect(odd.structure().paramsSchema).toBeNull();
    const none = dag({ id: 'r', schedule: null });
    none.task('a', async () => 1);
    expect(none.structure().paramsSchema).toBeUndefined();
  });
});

describe('computeNextRun', () => {
  const structure = (extra: Record<string, unknown>) => {
    const d = dag({ id: 'n', schedule: '@hourly', start: '2026-01-01', ...extra });
    d.task('a', async () => 1);
    return d.structure();
  };
  const now = new Date('2026-01-02T10:30:00Z');

  it('no catchup: the interval after the latest complete one once that is scheduled', () => {
    const next = computeNextRun(structure({}), { lastScheduledLogicalDate: new Date('2026-01-02T09:00:00Z'), hasAnyRun: true }, now);
    expect(next).toEqual({
      logicalDate: new Date('2026-01-02T10:00:00Z'),
      dataIntervalStart: new Date('2026-01-02T10:00:00Z'),
      dataIntervalEnd: new Date('2026-01-02T11:00:00Z'),
      createAfter: new Date('2026-01-02T11:00:00Z'),
    });
  });

  it('a due run is the next run (created on the next loop)', () => {
    expect(computeNextRun(structure({}), { hasAnyRun: false }, now)?.logicalDate).toEqual(new Date('2026-01-02T09:00:00Z'));
    expect(computeNextRun(structure({ catchup: true }), { hasAnyRun: false }, now)?.logicalDate).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('null for manual-only DAGs and after the end', () => {
    const manual = dag({ id: 'm', schedule: null });
    manual.task('a', async () => 1);
    expect(computeNextRun(manual.structure(), { hasAnyRun: false }, now)).toBeNull();
    const ended = structure({ end: '2026-01-01T05:00:00Z' });
    expect(computeNextRun(ended, { lastScheduledLogicalDate: new Date('2026-01-01T05:00:00Z'), hasAnyRun: true }, now)).toBeNull();
  });
});

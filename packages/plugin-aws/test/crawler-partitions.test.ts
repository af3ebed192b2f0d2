import { describe, expect, it } from 'vitest';
import { PartitionDetector, detectPartitionColumns, relativeKey, types as t } from '../src/crawler/index.js';

describe('partition columns from keys', () => {
  it('names key=value folders and types them by inference over the values', () => {
    const keys = [
      'raw/events/dt=2026-01-01/hour=7/region=eu/part-0.jsonl',
      'raw/events/dt=2026-01-01/hour=23/region=us/part-1.jsonl',
      'raw/events/dt=2026-01-02/hour=0/region=/part-0.jsonl',
    ];
    expect(detectPartitionColumns('raw/events/', keys)).toEqual([
      { name: 'dt', type: t.date(), nullable: false },
      { name: 'hour', type: t.int(), nullable: false },
      { name: 'region', type: t.string(), nullable: true },
    ]);
  });

  it('widens values across objects and decodes %XX escapes', () => {
    expect(detectPartitionColumns('p', ['p/v=1/a', 'p/v=2.5/b'])).toEqual([{ name: 'v', type: t.double(), nullable: false }]);
    expect(detectPartitionColumns('p', ['p/v=1/a', 'p/v=x/b'])).toEqual([{ name: 'v', type: t.string(), nullable: false }]);
    expect(detectPartitionColumns('p/', ['p/ts=2026-01-01T10%3A00%3A00Z/a'])).toEqual([{ name: 'ts', type: t.timestamp(), nullable: false }]);
  });

  it('names plain folders partition_0, partition_1, … by position, also mixed with named ones', () => {
    // `01` keeps its leading zero: a string, like a zip code.
    expect(detectPartitionColumns('logs/', ['logs/2026/01/a.csv', 'logs/2026/12/b.csv'])).toEqual([
      { name: 'partition_0', type: t.int(), nullable: false },
      { name: 'partition_1', type: t.string(), nullable: false },
    ]);
    expect(detectPartitionColumns('logs/', ['logs/web/dt=2026-01-01/a.csv', 'logs/app/dt=2026-01-02/b.csv'])).toEqual([
      { name: 'partition_0', type: t.string(), nullable: false },
      { name: 'dt', type: t.date(), nullable: false },
    ]);
  });

  it('finds no partitions for objects directly under the prefix', () => {
    expect(detectPartitionColumns('flat/', ['flat/a.jsonl', 'flat/b.jsonl'])).toEqual([]);
    expect(detectPartitionColumns('', ['a.jsonl'])).toEqual([]);
    expect(detectPartitionColumns('flat/', [])).toEqual([]);
  });

  it('treats a prefix without a trailing slash as a folder', () => {
    expect(relativeKey('raw/events', 'raw/events/dt=1/a')).toBe('dt=1/a');
    expect(relativeKey('raw/events/', 'raw/events/dt=1/a')).toBe('dt=1/a');
  });

  it.each([
    ['a different depth', ['t/dt=2026-01-01/a.jsonl', 't/dt=2026-01-01/hour=1/b.jsonl'], 't/dt=2026-01-01/hour=1/b.jsonl'],
    ['a file beside the folders', ['t/dt=2026-01-01/a.jsonl', 't/loose.jsonl'], 't/loose.jsonl'],
    ['another column name', ['t/dt=2026-01-01/a.jsonl', 't/day=2026-01-02/b.jsonl'], 't/day=2026-01-02/b.jsonl'],
    ['a plain folder where a named one was', ['t/dt=2026-01-01/a.jsonl', 't/2026-01-02/b.jsonl'], 't/2026-01-02/b.jsonl'],
  ])('refuses inconsistent layouts: %s, naming the offending key', (_name, keys, offending) => {
    const detector = new PartitionDetector('t/');
    let error: unknown;
    try {
      for (const key of keys) detector.add(key);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'PartitionLayoutError' });
    expect((error as Error).message).toContain(`'${offending}'`);
    expect((error as Error).message).toContain(`'${keys[0]}'`);
  });
});

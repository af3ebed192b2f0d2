import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectTasksToQueue, type QueueCandidate, type QueueSelectionInput } from '../../src/scheduling/queueing.js';
import { d } from './helpers.js';

function candidate(taskId: string, overrides: Partial<QueueCandidate> = {}): QueueCandidate {
  return { runPk: 1, taskId, mapIndex: -1, dagId: 'dag', pool: 'default_pool', poolSlots: 1, priorityWeight: 1, ...overrides };
}

function select(candidates: QueueCandidate[], overrides: Partial<QueueSelectionInput> = {}): string[] {
  return selectTasksToQueue({
    candidates,
    poolOpenSlots: { default_pool: 128 },
    dagActiveTasks: {},
    dagMaxActiveTasks: {},
    mappedActive: {},
    ...overrides,
  }).map((c) => (c.mapIndex < 0 ? c.taskId : `${c.taskId}[${c.mapIndex}]`));
}

describe('selectTasksToQueue', () => {
  it('orders by priority weight, then oldest scheduledAt (undated last), then run, task, map index', () => {
    const picked = select([
      candidate('late', { scheduledAt: d('2024-01-01T00:05:00Z') }),
      candidate('undated'),
      candidate('early', { scheduledAt: d('2024-01-01T00:01:00Z') }),
      candidate('urgent', { priorityWeight: 10, scheduledAt: d('2024-01-01T00:09:00Z') }),
      candidate('m', { mapIndex: 1, runPk: 2 }),
      candidate('m', { mapIndex: 0, runPk: 2 }),
    ]);
    expect(picked).toEqual(['urgent', 'early', 'late', 'undated', 'm[0]', 'm[1]']);
  });

  it('respects pool open slots, counting poolSlots; a missing pool has no slots', () => {
    const candidates = [candidate('big', { poolSlots: 3, priorityWeight: 5 }), candidate('a'), candidate('b'), candidate('elsewhere', { pool: 'other' })];
    expect(select(candidates, { poolOpenSlots: { default_pool: 2 } })).toEqual(['a', 'b']);
    expect(select(candidates, { poolOpenSlots: { default_pool: 4 } })).toEqual(['big', 'a']);
    expect(select(candidates, { poolOpenSlots: { default_pool: 0, other: 1 } })).toEqual(['elsewhere']);
  });

  it('respects each DAG’s maxActiveTasks, counting tasks already active; a DAG without a limit is unlimited', () => {
    const candidates = [candidate('a1', { dagId: 'a' }), candidate('a2', { dagId: 'a' }), candidate('a3', { dagId: 'a' }), candidate('b1', { dagId: 'b' })];
    expect(select(candidates, { dagMaxActiveTasks: { a: 2 } })).toEqual(['a1', 'a2', 'b1']);
    expect(select(candidates, { dagMaxActiveTasks: { a: 2 }, dagActiveTasks: { a: 1 } })).toEqual(['a1', 'b1']);
    expect(select(candidates, { dagMaxActiveTasks: { a: 2, b: 0 }, dagActiveTasks: { a: 5 } })).toEqual([]);
  });

  it('respects a mapped task’s maxActiveMapped per run', () => {
    const mapped = [0, 1, 2, 3].flatMap((mapIndex) => [
      candidate('m', { mapIndex, maxActiveMapped: 2 }),
      candidate('m', { mapIndex, maxActiveMapped: 2, runPk: 2 }),
    ]);
    expect(select(mapped)).toEqual(['m[0]', 'm[1]', 'm[0]', 'm[1]']);
    expect(select(mapped, { mappedActive: { '1:m': 1, '2:m': 2 } })).toEqual(['m[0]']);
  });

  it('stops at the limit', () => {
    expect(select([candidate('a'), candidate('b'), candidate('c')], { limit: 2 })).toEqual(['a', 'b']);
    expect(select([candidate('a')], { limit: 0 })).toEqual([]);
  });

  it('is safe with DAG ids that are Object.prototype names', () => {
    expect(select([candidate('x', { dagId: 'constructor' })])).toEqual(['x']);
  });

  it('property: never exceeds any limit, and every passed-over candidate was blocked by one', () => {
    const candidateArb = fc.record({
      runPk: fc.integer({ min: 1, max: 3 }),
      taskId: fc.constantFrom('a', 'b', 'm'),
      mapIndex: fc.integer({ min: -1, max: 5 }),
      dagId: fc.constantFrom('d1', 'd2'),
      pool: fc.constantFrom('p1', 'p2', 'p3'),
      poolSlots: fc.integer({ min: 0, max: 3 }),
      priorityWeight: fc.integer({ min: 1, max: 5 }),
      maxActiveMapped: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      scheduledAt: fc.option(fc.integer({ min: 0, max: 1e6 }).map((ms) => new Date(ms)), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(candidateArb, { maxLength: 25 }),
        fc.record({ p1: fc.integer({ min: 0, max: 6 }), p2: fc.integer({ min: 0, max: 6 }) }),
        fc.record({ d1: fc.integer({ min: 0, max: 4 }), d2: fc.integer({ min: 0, max: 4 }) }),
        fc.record({ d1: fc.integer({ min: 0, max: 6 }) }),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        (candidates, poolOpenSlots, dagActiveTasks, dagMaxActiveTasks, limit) => {
          const input = { candidates, poolOpenSlots, dagActiveTasks, dagMaxActiveTasks, mappedActive: {}, ...(limit === undefined ? {} : { limit }) };
          const picked = selectTasksToQueue(input);
          if (limit !== undefined) expect(picked.length).toBeLessThanOrEqual(limit);
          const poolUse: Record<string, number> = {};
          const dagUse: Record<string, number> = {};
          const mappedUse: Record<string, number> = {};
          for (const c of picked) {
            expect(candidates).toContain(c);
            poolUse[c.pool] = (poolUse[c.pool] ?? 0) + c.poolSlots;
            dagUse[c.dagId] = (dagUse[c.dagId] ?? 0) + 1;
            const k = `${c.runPk}:${c.taskId}`;
            mappedUse[k] = (mappedUse[k] ?? 0) + 1;
            if (c.maxActiveMapped !== undefined) expect(mappedUse[k]).toBeLessThanOrEqual(c.maxActiveMapped);
          }
          for (const [pool, used] of Object.entries(poolUse)) expect(used).toBeLessThanOrEqual((poolOpenSlots as Record<string, number>)[pool] ?? 0);
          expect((dagUse.d1 ?? 0) + dagActiveTasks.d1).toBeLessThanOrEqual(Math.max(dagMaxActiveTasks.d1, dagActiveTasks.d1));
          if ((dagUse.d1 ?? 0) > 0) expect((dagUse.d1 ?? 0) + dagActiveTasks.d1).toBeLessThanOrEqual(dagMaxActiveTasks.d1);
          // Picked candidates come out in priority order.
          for (let i = 1; i < picked.length; i++) expect((picked[i - 1] as QueueCandidate).priorityWeight).toBeGreaterThanOrEqual((picked[i] as QueueCandidate).priorityWeight);
          // Without a limit, an unpicked candidate must be blocked by the remaining capacity.
          if (limit === undefined) {
            for (const c of candidates.filter((x) => !picked.includes(x))) {
              const poolLeft = ((poolOpenSlots as Record<string, number>)[c.pool] ?? 0) - (poolUse[c.pool] ?? 0);
              const dagFull = c.dagId === 'd1' && (dagUse.d1 ?? 0) + dagActiveTasks.d1 >= dagMaxActiveTasks.d1;
              const mappedFull = c.maxActiveMapped !== undefined && (mappedUse[`${c.runPk}:${c.taskId}`] ?? 0) >= c.maxActiveMapped;
              expect(poolLeft < c.poolSlots || dagFull || mappedFull).toBe(true);
            }
          }
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeRetryDelayMs, decideAttemptOutcome, type AttemptResult } from '../../src/scheduling/retry.js';
import { d, makeTask } from './helpers.js';

const MIN = 60_000;
const now = d('2024-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(now.getTime() + ms);

describe('computeRetryDelayMs', () => {
  it('without backoff is always retryDelay', () => {
    const task = { retryDelayMs: 5 * MIN, exponentialBackoff: false, maxRetryDelayMs: MIN };
    expect(computeRetryDelayMs(task, 1)).toBe(5 * MIN);
    expect(computeRetryDelayMs(task, 7, () => 0)).toBe(5 * MIN);
  });

  it('with backoff doubles per failed try, between half and the full value', () => {
    const task = { retryDelayMs: MIN, exponentialBackoff: true, maxRetryDelayMs: 24 * 60 * MIN };
    const top = (): number => 0.999_999_999;
    expect(computeRetryDelayMs(task, 1, top)).toBe(MIN);
    expect(computeRetryDelayMs(task, 2, top)).toBe(2 * MIN);
    expect(computeRetryDelayMs(task, 3, top)).toBe(4 * MIN);
    expect(computeRetryDelayMs(task, 1, () => 0)).toBe(MIN / 2);
    expect(computeRetryDelayMs(task, 3, () => 0)).toBe(2 * MIN);
    expect(computeRetryDelayMs(task, 3, () => 0.5)).toBe(3 * MIN);
  });

  it('is capped by maxRetryDelay (the cap applies before the jitter, so it is never exceeded)', () => {
    const task = { retryDelayMs: MIN, exponentialBackoff: true, maxRetryDelayMs: 10 * MIN };
    expect(computeRetryDelayMs(task, 10, () => 0.999_999_999)).toBe(10 * MIN);
    expect(computeRetryDelayMs(task, 10, () => 0)).toBe(5 * MIN);
    expect(computeRetryDelayMs(task, 5000, () => 1)).toBe(10 * MIN);
  });

  it('treats a try number below 1 as 1 and a non-positive cap as no cap', () => {
    expect(computeRetryDelayMs({ retryDelayMs: MIN, exponentialBackoff: true, maxRetryDelayMs: 0 }, 0, () => 1)).toBe(MIN);
    expect(computeRetryDelayMs({ retryDelayMs: MIN, exponentialBackoff: true, maxRetryDelayMs: 0 }, 11, () => 1)).toBe(1024 * MIN);
  });

  it('property: within [min(cap, d)/2, min(cap, d)] for d = retryDelay × 2^(k−1), whole milliseconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retryDelayMs, k, maxRetryDelayMs, r) => {
          const delay = computeRetryDelayMs({ retryDelayMs, exponentialBackoff: true, maxRetryDelayMs }, k, () => r);
          const full = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (k - 1));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeLessThanOrEqual(full);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(full / 2));
        },
      ),
    );
  });

  it('property: the jitter is monotone in the random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600_000 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (base, k, a, b) => {
        const task = { retryDelayMs: base, exponentialBackoff: true, maxRetryDelayMs: 86_400_000 };
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(computeRetryDelayMs(task, k, () => lo)).toBeLessThanOrEqual(computeRetryDelayMs(task, k, () => hi));
      }),
    );
  });
});

describe('decideAttemptOutcome', () => {
  const task = makeTask('t', { retries: 2, retryDelayMs: 5 * MIN });
  const first = { tryNumber: 1, maxTries: 3 };
  const last = { tryNumber: 3, maxTries: 3 };

  it('success, skip and fail_now end the task', () => {
    expect(decideAttemptOutcome(task, first, { kind: 'success' }, now)).toEqual({ state: 'success', notify: 'success' });
    expect(decideAttemptOutcome(task, first, { kind: 'skip' }, now)).toEqual({ state: 'skipped' });
    expect(decideAttemptOutcome(task, first, { kind: 'fail_now', error: 'x' }, now)).toEqual({ state: 'failed', notify: 'failure' });
  });

  it.each<AttemptResult>([
    { kind: 'error', error: 'boom' },
    { kind: 'timeout', error: 'took too long' },
  ])('$kind is retried while tries remain, then fails', (result) => {
    expect(decideAttemptOutcome(task, first, result, now)).toEqual({ state: 'up_for_retry', nextAttemptAt: at(5 * MIN), notify: 'retry' });
    expect(decideAttemptOutcome(task, { tryNumber: 2, maxTries: 3 }, result, now).state).toBe('up_for_retry');
    expect(decideAttemptOutcome(task, last, result, now)).toEqual({ state: 'failed', notify: 'failure' });
    expect(decideAttemptOutcome(task, { tryNumber: 1, maxTries: 1 }, result, now)).toEqual({ state: 'failed', notify: 'failure' });
  });

  it('uses exponential backoff and the given random source for the retry time', () => {
    const backoff = makeTask('t', { retries: 5, retryDelayMs: MIN, exponentialBackoff: true });
    const outcome = decideAttemptOutcome(backoff, { tryNumber: 3, maxTries: 6 }, { kind: 'error', error: 'e' }, now, () => 0);
    expect(outcome.nextAttemptAt).toEqual(at(2 * MIN));
  });

  describe('sensors', () => {
    const sensor = (softFail: boolean) =>
      makeTask('s', { kind: 'sensor', sensor: { mode: 'reschedule', pokeIntervalMs: 30_000, timeoutMs: 10 * MIN, softFail } });

    it('a poke that is not done is rescheduled after the poke interval', () => {
      expect(decideAttemptOutcome(sensor(false), { ...first, firstPokeAt: at(-MIN) }, { kind: 'sensor_not_done' }, now)).toEqual({
        state: 'up_for_reschedule',
        nextAttemptAt: at(30_000),
      });
      expect(decideAttemptOutcome(sensor(false), first, { kind: 'sensor_not_done' }, now).state).toBe('up_for_reschedule');
    });

    it('fails (or with softFail skips) once the sensor timeout has passed since the first poke', () => {
      const expired = { ...first, firstPokeAt: at(-10 * MIN) };
      expect(decideAttemptOutcome(sensor(false), expired, { kind: 'sensor_not_done' }, now)).toEqual({ state: 'failed', notify: 'failure' });
      expect(decideAttemptOutcome(sensor(true), expired, { kind: 'sensor_not_done' }, now)).toEqual({ state: 'skipped' });
      const almost = { ...first, firstPokeAt: at(-10 * MIN + 1) };
      expect(decideAttemptOutcome(sensor(false), almost, { kind: 'sensor_not_done' }, now).state).toBe('up_for_reschedule');
    });

    it('sensor_timeout is never retried', () => {
      expect(decideAttemptOutcome(sensor(false), first, { kind: 'sensor_timeout', error: 't' }, now)).toEqual({ state: 'failed', notify: 'failure' });
      expect(decideAttemptOutcome(sensor(true), first, { kind: 'sensor_timeout', error: 't' }, now)).toEqual({ state: 'skipped' });
    });

    it('a task without sensor settings uses the default poke interval', () => {
      expect(decideAttemptOutcome(makeTask('t'), first, { kind: 'sensor_not_done' }, now).nextAttemptAt).toEqual(at(60_000));
    });
  });

  it('property: retries happen exactly while tryNumber < maxTries, never in the past', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.boolean(), (tryNumber, maxTries, backoff) => {
        const t = makeTask('t', { retryDelayMs: MIN, exponentialBackoff: backoff });
        const outcome = decideAttemptOutcome(t, { tryNumber, maxTries }, { kind: 'error', error: 'e' }, now);
        expect(outcome.state).toBe(tryNumber < maxTries ? 'up_for_retry' : 'failed');
        if (outcome.nextAttemptAt) expect(outcome.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(now.getTime());
      }),
    );
  });
});

import type { Knex } from 'knex';
import type { Logger } from '../logger.js';
import { decideAttemptOutcome } from '../scheduling/retry.js';
import { findStaleAttempts, finishAttempt } from '../store/finish-attempt.js';
import { getRunByPk } from '../store/runs.js';
import type { VersionCache } from './dag-registry.js';

/**
 * Fails running attempts whose process stopped heartbeating (crashed or killed), per their retries, with the
 * same guarded update a worker uses: if the old process comes back, its late result is rejected.
 */
export async function failStaleAttempts(
  knex: Knex,
  versions: VersionCache,
  thresholdMs: number,
  ownAttempts: readonly string[],
  now: Date,
  logger: Logger,
): Promise<number> {
  const stale = await findStaleAttempts(knex, thresholdMs, ownAttempts);
  let failed = 0;
  for (const a of stale) {
    const run = await getRunByPk(knex, a.runPk);
    if (!run) continue;
    const node = (await versions.get(run.dagId, run.versionHash))?.tasks.find((t) => t.id === a.taskId);
    const error = `attempt lost: no heartbeat for ${Math.round(thresholdMs / 1000)}s (its process died or hung)`;
    const outcome = node
      ? decideAttemptOutcome(node, { tryNumber: a.tryNumber, maxTries: a.maxTries }, { kind: 'error', error }, now)
      : { state: 'failed' as const };
    const recorded = await finishAttempt(knex, {
      runPk: a.runPk,
      taskId: a.taskId,
      mapIndex: a.mapIndex,
      attemptId: a.attemptId,
      state: outcome.state,
      nextAttemptAt: 'nextAttemptAt' in outcome ? outcome.nextAttemptAt : undefined,
      error,
      dagId: run.dagId,
      runId: run.runId,
    });
    if (recorded) {
      failed++;
      logger.warn('failed a lost attempt', { dagId: run.dagId, runId: run.runId, taskId: a.taskId, state: outcome.state });
    }
  }
  return failed;
}

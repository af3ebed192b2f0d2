import type { Knex } from 'knex';
import { deactivateMissingDags, replaceImportErrors, upsertDag } from '../store/dags.js';
import type { SchedulableDag } from './create-runs.js';

/** Records the loaded DAGs (and their versions) in the store, marks vanished ones inactive, stores import errors. */
export async function syncDagsToStore(knex: Knex, dags: readonly SchedulableDag[], importErrors?: ReadonlyMap<string, string>): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const d of dags) {
      await upsertDag(trx, { structure: d.structure, versionHash: d.versionHash, filePath: d.dag.file ?? null, pausedOnCreation: d.dag.options.pausedOnCreation });
    }
    await deactivateMissingDags(trx, dags.map((d) => d.dag.id));
    if (importErrors) await replaceImportErrors(trx, importErrors);
  });
}

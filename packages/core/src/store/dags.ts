import type { DagStructure } from '../authoring/structure.js';
import { NotFoundError } from '../errors.js';
import { rowsOf, toDate, toJson, type Queryable } from './rows.js';

/** A DAG as stored in `sluice_dags`. */
export interface DagRecord {
  dagId: string;
  filePath: string | null;
  isPaused: boolean;
  isActive: boolean;
  latestVersion: string | null;
  tags: string[];
  description: string | null;
  lastParsedAt: Date | null;
}

function toDagRecord(r: Record<string, unknown>): DagRecord {
  return {
    dagId: String(r.dag_id),
    filePath: (r.file_path as string | null) ?? null,
    isPaused: Boolean(r.is_paused),
    isActive: Boolean(r.is_active),
    latestVersion: (r.latest_version as string | null) ?? null,
    tags: (r.tags as string[] | null) ?? [],
    description: (r.description as string | null) ?? null,
    lastParsedAt: toDate(r.last_parsed_at),
  };
}

/**
 * Records a parsed DAG: inserts it (paused when `pausedOnCreation`), refreshes its file, version and
 * metadata, and stores the version's structure once. Never changes `is_paused` of an existing DAG.
 */
export async function upsertDag(
  db: Queryable,
  input: { structure: DagStructure; versionHash: string; filePath: string | null; pausedOnCreation: boolean },
): Promise<void> {
  const s = input.structure;
  await db.raw(
    `INSERT INTO sluice_dags (dag_id, file_path, is_paused, is_active, latest_version, schedule, timezone, tags, description, last_parsed_at)
     VALUES (?, ?, ?, true, ?, ?::jsonb, ?, ?::text[], ?, now())
     ON CONFLICT (dag_id) DO UPDATE SET file_path = EXCLUDED.file_path, is_active = true,
       latest_version = EXCLUDED.latest_version, schedule = EXCLUDED.schedule, timezone = EXCLUDED.timezone,
       tags = EXCLUDED.tags, description = EXCLUDED.description, last_parsed_at = now()`,
    [s.dagId, input.filePath, input.pausedOnCreation, input.versionHash, JSON.stringify(s.schedule), s.timezone, s.tags, s.description ?? null],
  );
  await db.raw(
    `INSERT INTO sluice_dag_versions (dag_id, version_hash, structure) VALUES (?, ?, ?::jsonb)
     ON CONFLICT (dag_id, version_hash) DO NOTHING`,
    [s.dagId, input.versionHash, JSON.stringify(s)],
  );
}

/** Marks every DAG not in `activeIds` inactive (its file is gone or broken); active ones stay. */
export async function deactivateMissingDags(db: Queryable, activeIds: readonly string[]): Promise<void> {
  await db.raw(`UPDATE sluice_dags SET is_active = false WHERE is_active AND NOT (dag_id = ANY(?::text[]))`, [[...activeIds]]);
}

/** Replaces the stored import errors with `errors` (file → message). */
export async function replaceImportErrors(db: Queryable, errors: ReadonlyMap<string, string>): Promise<void> {
  await db.raw('DELETE FROM sluice_import_errors');
  for (const [file, error] of errors) {
    await db.raw('INSERT INTO sluice_import_errors (file_path, error) VALUES (?, ?)', [file, error]);
  }
}

/** Stored import errors (file → message). */
export async function listImportErrors(db: Queryable): Promise<{ file: string; error: string; recordedAt: Date }[]> {
  const rows = rowsOf(await db.raw('SELECT file_path, error, recorded_at FROM sluice_import_errors ORDER BY file_path'));
  return rows.map((r) => ({ file: String(r.file_path), error: String(r.error), recordedAt: toDate(r.recorded_at) as Date }));
}

/** Every stored DAG. */
export async function listDags(db: Queryable): Promise<DagRecord[]> {
  return rowsOf(await db.raw('SELECT * FROM sluice_dags ORDER BY dag_id')).map(toDagRecord);
}

/** One stored DAG, or undefined. */
export async function getDag(db: Queryable, dagId: string): Promise<DagRecord | undefined> {
  const row = rowsOf(await db.raw('SELECT * FROM sluice_dags WHERE dag_id = ?', [dagId]))[0];
  return row ? toDagRecord(row) : undefined;
}

/** Pauses or unpauses a DAG; NotFoundError if it was never parsed. */
export async function setDagPaused(db: Queryable, dagId: string, paused: boolean): Promise<void> {
  const result = rowsOf(await db.raw('UPDATE sluice_dags SET is_paused = ? WHERE dag_id = ? RETURNING dag_id', [paused, dagId]));
  if (result.length === 0) throw new NotFoundError(`DAG '${dagId}' is not in the metadata store (has the scheduler parsed it?)`);
}

/** The structure of a stored DAG version. */
export async function getDagVersion(db: Queryable, dagId: string, versionHash: string): Promise<DagStructure | undefined> {
  const row = rowsOf(await db.raw('SELECT structure FROM sluice_dag_versions WHERE dag_id = ? AND version_hash = ?', [dagId, versionHash]))[0];
  return row ? (toJson(row.structure) as unknown as DagStructure) : undefined;
}

import { join } from 'node:path';
import type { Dag } from '../authoring/dag.js';
import { silentLogger, type Logger } from '../logger.js';
import { createImportScope, moduleFormatOf } from './import-scope.js';
import { compareStrings, listDagFolder, sameFingerprint } from './list-dag-folder.js';
import { loadDagFile } from './load-dag-file.js';

/** Options of {@link DagFolder}. */
export interface DagFolderOptions {
  /** The folder holding the DAG files. It should have a package.json with `"type": "module"`. */
  dir: string;
  /** Receives reloads and import errors. Default: silent. */
  logger?: Logger;
  /**
   * Extra filter on candidate DAG files, given their path relative to `dir` with `/` separators. Applied
   * after the built-in rules (see {@link isDagFileName}).
   */
  fileFilter?: (path: string) => boolean;
}

/** The outcome of {@link DagFolder.scan}. */
export interface DagFolderScan {
  /**
   * True when files changed since the previous scan (or on the first scan) and the folder was re-imported.
   * Every DAG is then a new object, even when its structure is unchanged: task code may have changed.
   */
  changed: boolean;
  /** Ids of DAGs that appeared, sorted. */
  added: string[];
  /** Ids of DAGs still present whose structure (version hash) or file changed, sorted. */
  updated: string[];
  /** Ids of DAGs that disappeared: file deleted, DAG removed, or its file now fails to import. Sorted. */
  removed: string[];
  /** Import errors after this scan: file (relative to `dir`) → message. */
  errors: Map<string, string>;
}

interface LoadedDag {
  dag: Dag<unknown>;
  file: string;
  version: string;
}

/**
 * The DAGs of a folder of DAG files, reloaded when files change (Airflow's DagBag).
 *
 * {@link scan} walks the folder (see {@link listDagFolder}) and, when any source file's mtime or size
 * changed or a file appeared or disappeared, re-imports every DAG file in sorted path order in a fresh
 * import scope. Everything is reloaded because any DAG may import the changed file.
 *
 * Import errors follow Airflow: a file that fails to import (syntax error, unresolved import, error thrown
 * at the top level, invalid DAG option or graph) contributes no DAG and its error is reported by
 * {@link importErrors}. Its DAGs therefore disappear from {@link list} (they are `removed` in the scan): they
 * stop being scheduled, task instances already running finish, and every other DAG keeps running. A DAG id
 * already defined by an earlier file (in sorted path order) makes the later file an import error naming
 * both files. A DAG object that one DAG file re-exports from another is not a duplicate: it belongs to the
 * first of those files in path order.
 *
 * Only files inside the folder are watched: a DAG importing code from outside it is not reloaded when that
 * code changes. Node cannot unload modules, so each reload keeps the previous copies in memory.
 *
 * @example
 * const folder = new DagFolder({ dir: 'dags', logger });
 * const { changed, errors } = await folder.scan();
 * const etl = folder.get('etl');
 */
export class DagFolder {
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly fileFilter: (path: string) => boolean;
  private fingerprint: Map<string, string> | undefined;
  private dags = new Map<string, LoadedDag>();
  private errors = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private warnedCommonJs = false;

  constructor(options: DagFolderOptions) {
    this.dir = options.dir;
    this.logger = (options.logger ?? silentLogger).child({ component: 'dag-folder', dir: options.dir });
    this.fileFilter = options.fileFilter ?? (() => true);
  }

  /**
   * Reloads the folder if anything changed since the last scan. Scans are serialised: a scan started while
   * another runs waits for it. Rejects only when the folder itself cannot be read; DAG file failures are
   * reported in `errors`.
   */
  scan(): Promise<DagFolderScan> {
    const next = this.queue.then(() => this.scanNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The DAG with this id from the last scan, or undefined. */
  get(dagId: string): Dag<unknown> | undefined {
    return this.dags.get(dagId)?.dag;
  }

  /** Every DAG of the last scan, sorted by id. */
  list(): Dag<unknown>[] {
    return [...this.dags.keys()].sort(compareStrings).map((id) => (this.dags.get(id) as LoadedDag).dag);
  }

  /** Import errors of the last scan: file (relative to the folder) → message. A copy. */
  importErrors(): Map<string, string> {
    return new Map(this.errors);
  }

  private async scanNow(): Promise<DagFolderScan> {
    const listing = await listDagFolder(this.dir);
    if (this.fingerprint && sameFingerprint(this.fingerprint, listing.fingerprint)) {
      return { changed: false, added: [], updated: [], removed: [], errors: this.importErrors() };
    }
    await this.warnIfCommonJs();

    const started = Date.now();
    const importModule = createImportScope();
    const claimed = new WeakSet<object>();
    const dags = new Map<string, LoadedDag>();
    const errors = new Map<string, string>();
    for (const file of listing.dagFiles.filter((f) => this.fileFilter(f))) {
      const loaded = await loadDagFile(join(this.dir, file), { displayPath: file, importModule, claimed });
      if (loaded.error) {
        errors.set(file, loaded.error.message);
        continue;
      }
      const clash = loaded.dags.find((d) => dags.has(d.id));
      if (clash) {
        const first = dags.get(clash.id)?.file ?? '?';
        errors.set(file, `${file}: DAG id '${clash.id}' is already defined in ${first}; this file's DAGs are ignored`);
        continue;
      }
      for (const dag of loaded.dags) dags.set(dag.id, { dag, file, version: dag.versionHash() });
    }

    const scan = this.diff(dags, errors);
    this.report(scan, dags.size, errors, Date.now() - started);
    this.dags = dags;
    this.errors = errors;
    this.fingerprint = listing.fingerprint;
    return scan;
  }

  private diff(next: Map<string, LoadedDag>, errors: Map<string, string>): DagFolderScan {
    const added: string[] = [];
    const updated: string[] = [];
    const removed: string[] = [];
    for (const [id, now] of next) {
      const before = this.dags.get(id);
      if (!before) added.push(id);
      else if (before.version !== now.version || before.file !== now.file) updated.push(id);
    }
    for (const id of this.dags.keys()) if (!next.has(id)) removed.push(id);
    return {
      changed: true,
      added: added.sort(compareStrings),
      updated: updated.sort(compareStrings),
      removed: removed.sort(compareStrings),
      errors: new Map(errors),
    };
  }

  private report(scan: DagFolderScan, dagCount: number, errors: Map<string, string>, elapsedMs: number): void {
    for (const [file, message] of errors) {
      if (this.errors.get(file) !== message) this.logger.warn('DAG file import error', { file, error: message });
    }
    for (const file of this.errors.keys()) {
      if (!errors.has(file)) this.logger.info('DAG file import error resolved', { file });
    }
    const { added, updated, removed } = scan;
    this.logger.info('DAG folder loaded', { dags: dagCount, importErrors: errors.size, added, updated, removed, elapsedMs });
  }

  private async warnIfCommonJs(): Promise<void> {
    if (this.warnedCommonJs) return;
    this.warnedCommonJs = true;
    const probe = join(this.dir, 'any.ts'); // the format a .ts file directly in the folder gets
    if ((await moduleFormatOf(probe)) === 'commonjs') {
      this.logger.warn('DAG folder is not an ES module package: .ts and .js DAG files will fail to load; add {"type": "module"} to its package.json or use .mts files');
    }
  }
}

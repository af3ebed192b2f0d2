import { isAbsolute, resolve } from 'node:path';
import { isDag, type Dag } from '../authoring/dag.js';
import { DagImportError } from '../errors.js';
import { describeImportFailure } from './describe-import-failure.js';
import { COMMONJS_HINT, createImportScope, moduleFormatOf, type ModuleImporter } from './import-scope.js';

/** Options of {@link loadDagFile}. */
export interface LoadDagFileOptions {
  /** How the file is named in `dag.file` and in error messages, e.g. its path relative to the DAG folder. */
  displayPath?: string;
  /**
   * Imports the module. Default: a fresh import scope per call, so the file and everything it imports are
   * evaluated anew. {@link DagFolder} passes one scope per scan so the files of a scan share their imports.
   */
  importModule?: ModuleImporter;
  /**
   * DAG objects already claimed by an earlier file of the same import scope. A DAG in this set (a DAG file
   * re-exporting another file's DAG) is skipped; the DAGs this file claims are added to it.
   */
  claimed?: WeakSet<object>;
}

/** What {@link loadDagFile} found in one file. */
export interface LoadedDagFile {
  /** The file as shown in messages: `displayPath` when given, else the path passed in. */
  file: string;
  /** The file's DAGs, validated and with `dag.file` set. Empty when the file has no DAG or failed. */
  dags: Dag<unknown>[];
  /** Why the file could not be loaded; when set, `dags` is empty. */
  error?: DagImportError;
}

/**
 * Imports one DAG file and returns every DAG it exports: the default export, named exports, and DAGs inside
 * exported arrays. Each DAG gets `dag.file` and has its graph validated with `dag.structure()`.
 *
 * Never throws. Whatever goes wrong (a syntax error, an unresolved import, an error thrown at the top level
 * such as an invalid `dag({...})` option, an invalid graph, two DAGs of the file sharing an id) becomes
 * `error`, a {@link DagImportError} whose message names the file and gives the reason in a line or two,
 * and the file contributes no DAG at all. A file exporting no DAG (a helpers file) is not an error.
 *
 * `.ts`/`.js` files must be ES modules (a package.json with `"type": "module"` above them); `.mts`/`.mjs`
 * always are.
 *
 * @example
 * const { dags, error } = await loadDagFile('/srv/dags/etl.ts', { displayPath: 'etl.ts' });
 */
export async function loadDagFile(file: string, options: LoadDagFileOptions = {}): Promise<LoadedDagFile> {
  const absPath = isAbsolute(file) ? file : resolve(file);
  const displayPath = options.displayPath ?? file;
  const fail = (reason: string, cause?: unknown): LoadedDagFile => ({
    file: displayPath,
    dags: [],
    error: new DagImportError(`${displayPath}: ${reason}`, displayPath, { cause }),
  });

  const importModule = options.importModule ?? createImportScope();
  const format = await moduleFormatOf(absPath);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(absPath);
  } catch (error) {
    const reason = describeImportFailure(error, { file: absPath, displayPath });
    return fail(format === 'commonjs' ? `${reason} (${COMMONJS_HINT})` : reason, error);
  }

  const exported = collectExportedDags(mod);
  if (format === 'commonjs') {
    // CommonJS interop nests the file's exports under `default`; such files are not reloaded reliably.
    const nested = mod.default !== null && typeof mod.default === 'object' ? collectExportedDags(mod.default as Record<string, unknown>) : [];
    if (exported.length + nested.length > 0) return fail(`is loaded as CommonJS. ${COMMONJS_HINT}`);
    return { file: displayPath, dags: [] };
  }

  const dags = options.claimed ? exported.filter((d) => !options.claimed?.has(d)) : exported;
  for (const d of dags) options.claimed?.add(d);

  const ids = new Set<string>();
  for (const d of dags) {
    if (ids.has(d.id)) return fail(`exports two different DAGs with id '${d.id}'`);
    ids.add(d.id);
  }
  for (const d of dags) {
    d.file = displayPath;
    try {
      d.structure();
    } catch (error) {
      return fail(describeImportFailure(error, { file: absPath, displayPath }), error);
    }
  }
  return { file: displayPath, dags };
}

/** DAGs among a module's exports, `default` first, each once. */
function collectExportedDags(mod: Record<string, unknown>): Dag<unknown>[] {
  const found: Dag<unknown>[] = [];
  const take = (value: unknown): void => {
    if (isDag(value) && !found.includes(value)) found.push(value);
  };
  const keys = Object.keys(mod).sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : 0));
  for (const key of keys) {
    const value = mod[key];
    if (Array.isArray(value)) value.forEach(take);
    else take(value);
  }
  return found;
}

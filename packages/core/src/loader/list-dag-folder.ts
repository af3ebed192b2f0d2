import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { NotFoundError } from '../errors.js';

/** What a walk of the DAG folder found. */
export interface DagFolderListing {
  /** Candidate DAG files, relative to the folder with `/` separators, in sorted order. */
  dagFiles: string[];
  /**
   * Relative path → `mtime:size` of every source file of the folder (DAG files, `_helpers`, tests, JSON),
   * so that a change to any file a DAG may import is noticed.
   */
  fingerprint: Map<string, string>;
}

const SOURCE_FILE = /\.(?:[cm]?[jt]s|json)$/;
const DAG_FILE = /\.m?[jt]s$/;
const NOT_A_DAG_FILE = /(?:\.d\.m?ts|\.(?:test|spec)\.m?[jt]s)$/;

/**
 * True for a file name that may hold DAGs: `.ts`, `.mts`, `.js`, `.mjs`, except declaration files
 * (`*.d.ts`), tests (`*.test.ts`, `*.spec.ts`) and names starting with `_` (helpers).
 */
export function isDagFileName(name: string): boolean {
  return DAG_FILE.test(name) && !NOT_A_DAG_FILE.test(name) && !name.startsWith('_');
}

/**
 * Walks `dir` recursively, skipping `node_modules` and directories whose name starts with `.`. Symbolic
 * links to files are followed; symbolic links to directories are not (they could loop).
 * Throws {@link NotFoundError} when `dir` does not exist.
 */
export async function listDagFolder(dir: string): Promise<DagFolderListing> {
  const dagFiles: string[] = [];
  const fingerprint = new Map<string, string>();
  const rootStat = await stat(dir).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new NotFoundError(`DAG folder ${dir} does not exist or is not a directory`);

  const visit = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) await visit(full);
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || !SOURCE_FILE.test(entry.name)) continue;
      const info = await stat(full).catch(() => undefined); // the file may vanish mid-walk
      if (!info?.isFile()) continue;
      const rel = relative(dir, full).split(sep).join('/');
      fingerprint.set(rel, `${info.mtimeMs}:${info.size}`);
      if (isDagFileName(entry.name)) dagFiles.push(rel);
    }
  };
  await visit(dir);
  dagFiles.sort(compareStrings);
  return { dagFiles, fingerprint };
}

/** True when two fingerprints list the same files with the same mtime and size. */
export function sameFingerprint(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, value] of a) if (b.get(path) !== value) return false;
  return true;
}

/** Plain code-unit order, the same on every machine (unlike `localeCompare`). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

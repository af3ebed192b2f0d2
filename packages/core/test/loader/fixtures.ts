import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the workspace core, imported by fixture DAG files (tsx loads the .ts sources). */
export const CORE = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** `import { dag } from '<core>';` for fixture files. */
export const IMPORT_DAG = `import { dag } from ${JSON.stringify(CORE)};`;

/** Source of a DAG file defining `id` with the tasks `taskIds` chained in order. */
export function dagSource(id: string, taskIds: string[], schedule = "'@daily'"): string {
  return [
    IMPORT_DAG,
    `const d = dag({ id: ${JSON.stringify(id)}, schedule: ${schedule}, start: '2026-01-01' });`,
    `let prev;`,
    ...taskIds.map((t) => `{ const t = d.task(${JSON.stringify(t)}, async () => 1); if (prev) prev.then(t); prev = t; }`),
    `export default d;`,
    '',
  ].join('\n');
}

/** A temporary DAG folder (an ES module package) that tests write to. */
export interface FixtureFolder {
  dir: string;
  /** Writes a file (creating directories) and moves its mtime forward so every edit is seen. */
  write(path: string, content: string): Promise<void>;
  remove(path: string): Promise<void>;
  cleanup(): Promise<void>;
}

let tick = 0;

/** Creates a temporary DAG folder with a `{"type":"module"}` package.json and the given files. */
export async function createFixtureFolder(files: Record<string, string> = {}, packageJson: object | null = { type: 'module' }): Promise<FixtureFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-loader-'));
  const folder: FixtureFolder = {
    dir,
    async write(path, content) {
      const full = join(dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
      // Timestamps can be coarser than the time between two writes: set a distinct, later mtime.
      const at = Date.now() / 1000 + ++tick;
      await utimes(full, at, at);
    },
    remove: (path) => rm(join(dir, path)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (packageJson) await folder.write('package.json', JSON.stringify(packageJson));
  for (const [path, content] of Object.entries(files)) await folder.write(path, content);
  return folder;
}

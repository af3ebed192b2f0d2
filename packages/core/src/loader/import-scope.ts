import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerCjs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

/** Imports a module by absolute path and resolves to its namespace object. */
export type ModuleImporter = (absPath: string) => Promise<Record<string, unknown>>;

/**
 * Creates an importer with its own tsx namespace (what `tsImport` does for a single call). Every module
 * imported through it, the DAG file, its relative imports and its packages (including `@sluice/core`), is
 * evaluated afresh the first time and shared by later imports of the same scope. One scope per folder scan
 * gives "reload on change" while loading shared code once per scan instead of once per file.
 *
 * Node cannot unload ES modules: every scope keeps its modules (and a pass-through loader hook) for the
 * life of the process, so create a scope only when files actually changed. The hooks are never
 * unregistered because tasks of an already loaded DAG may still `import()` lazily through them.
 */
export function createImportScope(): ModuleImporter {
  const namespace = `sluice-${randomUUID()}`;
  registerCjs({ namespace });
  const esm = registerEsm({ namespace });
  const parent = import.meta.url;
  return async (absPath) => (await esm.import(pathToFileURL(absPath).href, parent)) as Record<string, unknown>;
}

/** Module system a JavaScript or TypeScript file is loaded with. */
export type ModuleFormat = 'module' | 'commonjs';

/**
 * The module format Node and tsx use for `file`: `.mts`/`.mjs` are ES modules, `.cts`/`.cjs` CommonJS, and
 * `.ts`/`.js` follow the `type` of the nearest package.json (CommonJS when there is none).
 */
export async function moduleFormatOf(file: string): Promise<ModuleFormat> {
  if (/\.m[jt]s$/.test(file)) return 'module';
  if (/\.c[jt]s$/.test(file)) return 'commonjs';
  let dir = dirname(file);
  for (;;) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest !== undefined) {
      try {
        return (JSON.parse(manifest) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    const parentDir = dirname(dir);
    if (parentDir === dir) return 'commonjs';
    dir = parentDir;
  }
}

/** The hint appended to import errors of DAG files that Node loads as CommonJS. */
export const COMMONJS_HINT =
  'DAG files must be ES modules: add {"type": "module"} to the package.json of the DAG folder, or use the .mts extension';

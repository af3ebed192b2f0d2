import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PluginError } from '../errors.js';

/** Export conditions active when Node's `import` loads a package. */
const ACTIVE_CONDITIONS = new Set(['import', 'node', 'default']);

/** A package found on disk: its directory, `package.json` and the file `import` loads. */
export interface ResolvedPackage {
  name: string;
  directory: string;
  packageJson: Record<string, unknown>;
  entry: string;
}

/**
 * Finds the package `specifier` as `import(specifier)` from a module in `fromDir` would: walks up
 * `node_modules` directories from `fromDir`, then picks the entry from `exports` (conditions `import`,
 * `node`, `default`) or `main` (default `index.js`). A specifier starting with `.` or `/` is a package
 * directory relative to `fromDir`. Throws {@link PluginError} when the package or its entry is missing.
 *
 * This does what `import.meta.resolve(specifier, parent)` does without the flag Node 20 needs for it.
 */
export function resolvePackage(specifier: string, fromDir: string): ResolvedPackage {
  const directory = findPackageDirectory(specifier, path.resolve(fromDir));
  const manifestPath = path.join(directory, 'package.json');
  let packageJson: Record<string, unknown>;
  try {
    packageJson = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(`plugin package '${specifier}': cannot read ${manifestPath}`, { cause: error });
  }
  const name = typeof packageJson.name === 'string' ? packageJson.name : specifier;
  const target = exportedEntry(packageJson.exports) ?? (typeof packageJson.main === 'string' ? packageJson.main : undefined);
  const entry = completeFile(path.resolve(directory, target ?? 'index.js'));
  if (!entry) {
    throw new PluginError(`plugin package '${specifier}': its entry point ${target ?? 'index.js'} does not exist in ${directory}`);
  }
  return { name, directory, packageJson, entry };
}

function findPackageDirectory(specifier: string, fromDir: string): string {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    const directory = path.resolve(fromDir, specifier);
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    throw new PluginError(`plugin package '${specifier}': no package.json in ${directory}`);
  }
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', ...specifier.split('/'));
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new PluginError(`plugin package '${specifier}' is not installed (looked in node_modules from ${fromDir} up)`);
}

/** The target of the `.` export, following nested conditions and fallback arrays. */
function exportedEntry(exportsField: unknown): string | undefined {
  if (exportsField === undefined || exportsField === null) return undefined;
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return pickTarget(exportsField);
  if (typeof exportsField !== 'object') return undefined;
  const map = exportsField as Record<string, unknown>;
  const keys = Object.keys(map);
  // Either a subpath map ({ ".": …, "./x": … }) or conditions for "." directly ({ import: …, default: … }).
  const root = keys.some((key) => key.startsWith('.')) ? map['.'] : map;
  return pickTarget(root);
}

function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const picked = pickTarget(item);
      if (picked) return picked;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    // Like Node: the first key (in the object's order) that is an active condition wins.
    for (const [condition, value] of Object.entries(target as Record<string, unknown>)) {
      if (!ACTIVE_CONDITIONS.has(condition)) continue;
      const picked = pickTarget(value);
      if (picked) return picked;
    }
  }
  return undefined;
}

/** The file itself, or `file.js`, or `file/index.js`, whichever exists (CommonJS-style `main`). */
function completeFile(file: string): string | undefined {
  for (const candidate of [file, `${file}.js`, path.join(file, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

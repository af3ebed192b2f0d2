import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Env, Hono, Schema } from 'hono';
import { SluiceError } from '../errors.js';

/** Options of {@link registerUiRoutes}. */
export interface UiRoutesOptions {
  /** Folder of the static UI files. Default: the `ui/` folder shipped with `@sluice/core`. */
  uiDir?: string;
}

/** Content types of the files the UI is made of; any other extension is refused. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The browser modules served under `/ui/vendor/`, as `[package, export subpath]`. */
const VENDOR_MODULES: Readonly<Record<string, readonly [string, string]>> = {
  'preact.js': ['preact', '.'],
  'preact-hooks.js': ['preact', './hooks'],
  'htm.js': ['htm', '.'],
};

/** The `ui/` folder next to `src/` and `dist/` in the `@sluice/core` package. */
export function defaultUiDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ui');
}

/**
 * Serves the web UI: `GET /` → `index.html`, `GET /ui/*` → the static files of the UI folder (known
 * extensions only; `..`, hidden files, encoded separators and symlinks leaving the folder are refused with
 * 404), and `GET /ui/vendor/{preact,preact-hooks,htm}.js` → the ES module builds of preact, preact/hooks
 * and htm from this package's dependencies, so the UI works offline with no CDN and no build step.
 */
export function registerUiRoutes<E extends Env, S extends Schema, B extends string>(app: Hono<E, S, B>, options: UiRoutesOptions = {}): void {
  const uiDir = resolve(options.uiDir ?? defaultUiDir());
  const vendorFiles = new Map<string, string>();
  const vendorFile = (name: string): string | undefined => {
    const spec = VENDOR_MODULES[name];
    if (!spec) return undefined;
    let file = vendorFiles.get(name);
    if (!file) {
      file = resolveBrowserModule(spec[0], spec[1]);
      vendorFiles.set(name, file);
    }
    return file;
  };

  app.get('/', async (c) => {
    const file = join(uiDir, 'index.html');
    let html: string;
    try {
      html = await readFile(file, 'utf8');
    } catch {
      return c.text('the web UI files are missing from this installation', 404);
    }
    return c.body(html, 200, { ...commonHeaders('.html'), 'Content-Security-Policy': contentSecurityPolicy(html) });
  });

  app.get('/ui/vendor/:name', async (c) => {
    const file = vendorFile(c.req.param('name') ?? '');
    if (!file) return notFound(c);
    return c.body(await readFile(file), 200, { ...commonHeaders('.js'), 'Cache-Control': 'public, max-age=3600' });
  });

  app.get('/ui/*', async (c) => {
    const file = await resolveUiFile(uiDir, new URL(c.req.url).pathname.slice('/ui/'.length));
    if (!file) return notFound(c);
    const ext = extname(file);
    if (ext === '.html') {
      const html = await readFile(file, 'utf8');
      return c.body(html, 200, { ...commonHeaders(ext), 'Content-Security-Policy': contentSecurityPolicy(html) });
    }
    return c.body(await readFile(file), 200, commonHeaders(ext));
  });
}

function notFound(c: Context): Response {
  return c.text('not found', 404, { 'X-Content-Type-Options': 'nosniff' });
}

function commonHeaders(ext: string): Record<string, string> {
  return {
    'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
}

/**
 * The file under `uiDir` that the (still percent-encoded) request path names, or undefined when the path
 * is malformed, leaves the folder, names a hidden file, has an unknown extension or does not exist.
 */
export async function resolveUiFile(uiDir: string, encodedPath: string): Promise<string | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(encodedPath);
  } catch {
    return undefined;
  }
  if (relative === '' || relative.includes('\0') || relative.includes('\\')) return undefined;
  const segments = relative.split('/');
  if (segments.some((s) => s === '' || s.startsWith('.'))) return undefined;
  if (!CONTENT_TYPES[extname(relative)]) return undefined;
  const candidate = resolve(uiDir, ...segments);
  if (!candidate.startsWith(uiDir + sep)) return undefined;
  try {
    const [real, realRoot] = await Promise.all([realpath(candidate), realpath(uiDir)]);
    if (!real.startsWith(realRoot + sep)) return undefined;
    if (!(await stat(real)).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

/** The browser ES module file of a package export (`browser`, else `import`, else `default` condition). */
export function resolveBrowserModule(pkg: string, subpath: string): string {
  const manifestPath = findManifest(pkg);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; module?: string };
  const entry = pickCondition(exportsEntry(manifest.exports, subpath)) ?? (subpath === '.' ? manifest.module : undefined);
  if (!entry) throw new SluiceError(`no browser ES module build found for ${pkg} ${subpath}`);
  return resolve(dirname(manifestPath), entry);
}

/** The package.json of `pkg` as resolved from this package (found above its main entry: not every package exports it). */
function findManifest(pkg: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(pkg));
  for (;;) {
    const candidate = join(dir, 'package.json');
    try {
      if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name === pkg) return candidate;
    } catch {
      // no package.json at this level
    }
    const parent = dirname(dir);
    if (parent === dir) throw new SluiceError(`package.json of ${pkg} not found`);
    dir = parent;
  }
}

function exportsEntry(exports: unknown, subpath: string): unknown {
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined;
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  if (Object.keys(map).some((k) => k.startsWith('.'))) return map[subpath];
  return subpath === '.' ? map : undefined;
}

function pickCondition(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return undefined;
  const conditions = entry as Record<string, unknown>;
  for (const key of ['browser', 'import', 'module', 'default']) {
    const picked = pickCondition(conditions[key]);
    if (picked) return picked;
  }
  return undefined;
}

/** Same-origin only; the one inline script (the import map) is allowed by its hash. */
function contentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1] ?? '').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

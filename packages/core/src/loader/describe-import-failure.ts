import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const MAX_LINE = 300;

/** How paths are shown in an import failure. */
export interface FailurePaths {
  /** Absolute path of the DAG file. */
  file: string;
  /** The DAG file as shown to users (for example relative to the DAG folder). */
  displayPath: string;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  stack?: unknown;
  issues?: unknown;
}

/**
 * Turns whatever importing a DAG file threw into one or two readable lines, without a stack: syntax errors
 * keep their `file:line:column`, unresolved imports keep Node's message, other errors get their first
 * message line and the innermost stack frame inside the DAG folder. Absolute paths under the DAG folder
 * and tsx's namespace query strings are shortened away.
 */
export function describeImportFailure(error: unknown, paths: FailurePaths): string {
  const shorten = pathShortener(paths);
  if (typeof error !== 'object' || error === null) return `threw ${clip(String(error))}`;
  const e = error as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(error);

  if (name === 'TransformError') return describeSyntaxError(message, shorten);
  if (typeof e.code === 'string' && e.code.startsWith('ERR_')) return `import failed: ${clip(shorten(firstLine(message)))}`;
  if (name === 'DagDefinitionError') return clip(shorten(message.replace(` (${paths.displayPath})`, '')));
  if (name === 'ZodError' && Array.isArray(e.issues)) return `invalid options: ${describeZodIssue(e.issues[0])}`;

  const where = typeof e.stack === 'string' ? innermostFrame(e.stack, folderRoot(paths), shorten) : undefined;
  return `${name}: ${clip(shorten(firstLine(message)))}${where ? ` (at ${where})` : ''}`;
}

function describeSyntaxError(message: string, shorten: (text: string) => string): string {
  // esbuild: "Transform failed with N error(s):\n/abs/file.ts:1:10: ERROR: Unexpected ";"".
  const found = [...message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)];
  const first = found[0];
  if (!first) return `syntax error: ${clip(shorten(message.split('\n').slice(0, 2).join(' ')))}`;
  const [, path = '', line, column, text = ''] = first;
  const more = found.length > 1 ? ` (+${found.length - 1} more)` : '';
  return `syntax error at ${shorten(path)}:${line}:${column}: ${clip(text)}${more}`;
}

function describeZodIssue(issue: unknown): string {
  const i = (issue ?? {}) as { path?: unknown; message?: unknown };
  const path = Array.isArray(i.path) ? i.path.map(String).join('.') : '';
  const text = typeof i.message === 'string' ? i.message : 'invalid';
  return path ? `${path}: ${text}` : text;
}

/** The first `at` frame of `stack` that points into the DAG folder, shortened (`dags/a.ts:3:7`). */
function innermostFrame(stack: string, root: string, shorten: (text: string) => string): string | undefined {
  for (const line of stack.split('\n')) {
    const match = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!match) continue;
    const [, location = '', row = '0', column = '0'] = match;
    const original = toOriginalPosition(location, Number(row), Number(column));
    const path = toPath(stripNamespace(original.location));
    if (path.startsWith(root) && !path.includes('/node_modules/')) return `${shorten(path)}:${original.row}:${original.column}`;
  }
  return undefined;
}

/**
 * Maps a generated position to the TypeScript source when the stack was not already source-mapped (for
 * instance when another tool replaced `Error.prepareStackTrace`). tsx registers a source map per module.
 */
function toOriginalPosition(location: string, row: number, column: number): { location: string; row: number; column: number } {
  try {
    const entry = findSourceMap(location)?.findEntry(row - 1, column - 1) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (entry?.originalSource && typeof entry.originalLine === 'number' && typeof entry.originalColumn === 'number') {
      return { location: entry.originalSource, row: entry.originalLine + 1, column: entry.originalColumn + 1 };
    }
  } catch {
    // No usable source map: keep the generated position.
  }
  return { location, row, column };
}

/** The DAG folder: `file` without its `displayPath` suffix, else the file's own directory. */
function folderRoot({ file, displayPath }: FailurePaths): string {
  if (displayPath !== file && file.endsWith(`/${displayPath}`)) return file.slice(0, file.length - displayPath.length);
  const slash = file.lastIndexOf('/');
  return slash >= 0 ? file.slice(0, slash + 1) : file;
}

function pathShortener(paths: FailurePaths): (text: string) => string {
  const { file, displayPath } = paths;
  const root = displayPath !== file && file.endsWith(`/${displayPath}`) ? folderRoot(paths) : '';
  return (text) => {
    const out = stripNamespace(text);
    if (root) return out.split(`file://${root}`).join('').split(root).join('');
    return out.split(`file://${file}`).join(displayPath).split(file).join(displayPath);
  };
}

function stripNamespace(text: string): string {
  return text.replace(/\?tsx-namespace=[^\s'"):]*/g, '');
}

function toPath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? text;
}

function clip(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}

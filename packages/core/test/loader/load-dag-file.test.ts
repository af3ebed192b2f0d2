import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDagFile } from '../../src/loader/index.js';
import { createFixtureFolder, dagSource, IMPORT_DAG, type FixtureFolder } from './fixtures.js';

let folder: FixtureFolder | undefined;
afterEach(async () => {
  await folder?.cleanup();
  folder = undefined;
});

async function load(files: Record<string, string>, file: string, packageJson?: object | null) {
  folder = await createFixtureFolder(files, packageJson);
  return loadDagFile(join(folder.dir, file), { displayPath: file });
}

/** Every import error message is short: at most two lines, no stack. */
function expectReadable(message: string | undefined): void {
  expect(message).toBeDefined();
  expect((message ?? '').split('\n').length).toBeLessThanOrEqual(2);
  expect(message).not.toMatch(/\n\s+at /);
}

describe('loadDagFile', () => {
  it('loads a DAG with its tasks and sets dag.file', async () => {
    const result = await load({ 'etl.ts': dagSource('etl', ['extract', 'load']) }, 'etl.ts');
    expect(result.error).toBeUndefined();
    expect(result.file).toBe('etl.ts');
    expect(result.dags.map((d) => d.id)).toEqual(['etl']);
    const [etl] = result.dags;
    expect(etl?.file).toBe('etl.ts');
    expect(etl?.listTasks().map((t) => t.id)).toEqual(['extract', 'load']);
    expect(etl?.structure().tasks.find((t) => t.id === 'load')?.upstream).toEqual(['extract']);
  });

  it('collects default, named and array exports, each DAG once', async () => {
    const source = [
      IMPORT_DAG,
      `const make = (id) => { const d = dag({ id, schedule: null }); d.task('t', async () => 1); return d; };`,
      `const main = make('main');`,
      `export default main;`,
      `export const alias = main;`,
      `export const other = make('other');`,
      `export const many = [make('m1'), make('m2'), 'not a dag'];`,
      `export const helper = () => 1;`,
    ].join('\n');
    const result = await load({ 'multi.mts': source }, 'multi.mts');
    expect(result.error).toBeUndefined();
    expect(result.dags.map((d) => d.id).sort()).toEqual(['m1', 'm2', 'main', 'other']);
    expect(result.dags[0]?.id).toBe('main');
  });

  it('treats a file without DAGs as a helpers file, not an error', async () => {
    const result = await load({ 'helpers.ts': 'export const retries = 3;\n' }, 'helpers.ts');
    expect(result).toEqual({ file: 'helpers.ts', dags: [] });
  });

  it('reports a syntax error with its line and column', async () => {
    const result = await load({ 'broken.ts': `${IMPORT_DAG}\nconst x = ;\n` }, 'broken.ts');
    expect(result.dags).toEqual([]);
    expect(result.error?.name).toBe('DagImportError');
    expect(result.error?.file).toBe('broken.ts');
    expect(result.error?.message).toMatch(/^broken\.ts: syntax error at broken\.ts:2:\d+: Unexpected/);
    expectReadable(result.error?.message);
  });

  it('reports a missing import with relative paths', async () => {
    const result = await load({ 'miss.ts': `import { x } from './nope.js';\nexport default x;\n` }, 'miss.ts');
    expect(result.error?.message).toMatch(/^miss\.ts: import failed: Cannot find module '.*nope\.js' imported from miss\.ts$/);
    expect(result.error?.message).not.toContain('tsx-namespace');
    expectReadable(result.error?.message);
  });

  it('reports an invalid dag() option naming the field and where it was thrown', async () => {
    const result = await load({ 'cron.ts': dagSource('cron', ['a'], "'not a cron'") }, 'cron.ts');
    expect(result.error?.message).toMatch(/^cron\.ts: ValidationError: DAG cron: option 'schedule': .*cron.* \(at cron\.ts:2:\d+\)$/);
    expectReadable(result.error?.message);
  });

  it('reports a cycle with its path', async () => {
    const source = [
      IMPORT_DAG,
      `const d = dag({ id: 'cyc', schedule: null });`,
      `const a = d.task('a', async () => 1);`,
      `const b = d.task('b', async () => 1);`,
      `a.then(b); b.then(a);`,
      `export default d;`,
    ].join('\n');
    const result = await load({ 'sub/cyc.ts': source }, 'sub/cyc.ts');
    expect(result.dags).toEqual([]);
    expect(result.error?.message).toBe('sub/cyc.ts: DAG cyc: cycle a -> b -> a');
    expect(result.error?.cause).toMatchObject({ name: 'DagDefinitionError' });
  });

  it('points a top-level throw at the helper that threw', async () => {
    const files = {
      '_lib.ts': `export function conf(): string {\n  throw new TypeError('missing ETL_BUCKET');\n}\n`,
      'uses-lib.ts': `import { conf } from './_lib.ts';\nexport const bucket = conf();\n`,
    };
    const result = await load(files, 'uses-lib.ts');
    expect(result.error?.message).toBe('uses-lib.ts: TypeError: missing ETL_BUCKET (at _lib.ts:2:9)');
  });

  it('reports two DAGs of one file sharing an id', async () => {
    const source = `${IMPORT_DAG}\nconst mk = () => { const d = dag({ id: 'same', schedule: null }); d.task('t', async () => 1); return d; };\nexport const a = mk();\nexport const b = mk();\n`;
    const result = await load({ 'twice.ts': source }, 'twice.ts');
    expect(result.error?.message).toBe("twice.ts: exports two different DAGs with id 'same'");
  });

  it('rejects DAG files loaded as CommonJS and says how to fix it', async () => {
    const result = await load({ 'package.json': '{}', 'cjs.ts': dagSource('cjs', ['a']) }, 'cjs.ts', null);
    expect(result.dags).toEqual([]);
    expect(result.error?.message).toMatch(/^cjs\.ts: is loaded as CommonJS\. .*"type": "module".*\.mts/);
  });

  it('re-evaluates the file and its relative imports on every call', async () => {
    folder = await createFixtureFolder({
      '_ids.ts': `export const ids = ['a'];\n`,
      'dyn.ts': `${IMPORT_DAG}\nimport { ids } from './_ids.ts';\nconst d = dag({ id: 'dyn', schedule: null });\nfor (const id of ids) d.task(id, async () => 1);\nexport default d;\n`,
    });
    const file = join(folder.dir, 'dyn.ts');
    const first = await loadDagFile(file);
    expect(first.dags[0]?.listTasks().map((t) => t.id)).toEqual(['a']);
    expect(first.dags[0]?.file).toBe(file);
    await folder.write('_ids.ts', `export const ids = ['a', 'b'];\n`);
    const second = await loadDagFile(file);
    expect(second.dags[0]?.listTasks().map((t) => t.id)).toEqual(['a', 'b']);
    expect(second.dags[0]).not.toBe(first.dags[0]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../src/logger.js';
import { DagFolder } from '../../src/loader/index.js';
import { createFixtureFolder, dagSource, IMPORT_DAG, type FixtureFolder } from './fixtures.js';

let folder: FixtureFolder | undefined;
afterEach(async () => {
  await folder?.cleanup();
  folder = undefined;
});

async function setup(files: Record<string, string>, options: { fileFilter?: (path: string) => boolean; logger?: MemoryLogger } = {}) {
  folder = await createFixtureFolder(files);
  return { fixture: folder, dags: new DagFolder({ dir: folder.dir, ...options }) };
}

const taskIds = (dags: DagFolder, id: string) => dags.get(id)?.listTasks().map((t) => t.id);

const CYCLE = [
  IMPORT_DAG,
  `const d = dag({ id: 'cyc', schedule: null });`,
  `const a = d.task('a', async () => 1);`,
  `const b = d.task('b', async () => 1);`,
  `const c = d.task('c', async () => 1);`,
  `a.then(b).then(c).then(a);`,
  `export default d;`,
].join('\n');

describe('DagFolder', () => {
  it('loads the good files and reports one import error per broken file', async () => {
    const logger = new MemoryLogger();
    const { dags } = await setup(
      {
        'good.ts': dagSource('good', ['extract', 'load']),
        'nested/also-good.mts': dagSource('also_good', ['only']),
        'syntax.ts': `${IMPORT_DAG}\nexport default dag({ id: 'syntax', schedule: null ;\n`,
        'missing.ts': `import { helper } from './not-there.ts';\nexport default helper;\n`,
        'cron.ts': dagSource('cron', ['a'], "'every minute'"),
        'cycle.ts': CYCLE,
      },
      { logger },
    );
    const scan = await dags.scan();
    expect(scan.changed).toBe(true);
    expect(scan.added).toEqual(['also_good', 'good']);
    expect(dags.list().map((d) => d.id)).toEqual(['also_good', 'good']);
    expect(taskIds(dags, 'good')).toEqual(['extract', 'load']);
    expect(dags.get('also_good')?.file).toBe('nested/also-good.mts');

    const errors = dags.importErrors();
    expect([...errors.keys()].sort()).toEqual(['cron.ts', 'cycle.ts', 'missing.ts', 'syntax.ts']);
    expect(errors.get('syntax.ts')).toMatch(/^syntax\.ts: syntax error at syntax\.ts:2:\d+:/);
    expect(errors.get('missing.ts')).toMatch(/^missing\.ts: import failed: Cannot find module .*not-there\.ts/);
    expect(errors.get('cron.ts')).toMatch(/^cron\.ts: ValidationError: DAG cron: option 'schedule'/);
    expect(errors.get('cycle.ts')).toBe('cycle.ts: DAG cyc: cycle a -> b -> c -> a');
    expect(scan.errors).toEqual(errors);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields.file).sort()).toEqual(['cron.ts', 'cycle.ts', 'missing.ts', 'syntax.ts']);
  });

  it('reloads only when a file changed', async () => {
    const { fixture, dags } = await setup({ 'etl.ts': dagSource('etl', ['a']) });
    await dags.scan();
    const before = dags.get('etl');
    expect(await dags.scan()).toEqual({ changed: false, added: [], updated: [], removed: [], errors: new Map() });
    expect(dags.get('etl')).toBe(before);

    await fixture.write('etl.ts', dagSource('etl', ['a', 'b']));
    const scan = await dags.scan();
    expect(scan).toMatchObject({ changed: true, added: [], updated: ['etl'], removed: [] });
    expect(taskIds(dags, 'etl')).toEqual(['a', 'b']);
    expect(dags.get('etl')).not.toBe(before);
  });

  it('reloads every DAG when a helper it imports changes', async () => {
    const { fixture, dags } = await setup({
      '_tasks.ts': `export const TASKS = ['extract'];\n`,
      'etl.ts': `${IMPORT_DAG}\nimport { TASKS } from './_tasks.ts';\nconst d = dag({ id: 'etl', schedule: null });\nfor (const t of TASKS) d.task(t, async () => 1);\nexport default d;\n`,
    });
    await dags.scan();
    expect(taskIds(dags, 'etl')).toEqual(['extract']);
    await fixture.write('_tasks.ts', `export const TASKS = ['extract', 'transform'];\n`);
    const scan = await dags.scan();
    expect(scan.updated).toEqual(['etl']);
    expect(taskIds(dags, 'etl')).toEqual(['extract', 'transform']);
  });

  it('gives a duplicate DAG id to the first file in path order and reports the second', async () => {
    const { fixture, dags } = await setup({ 'a.ts': dagSource('dup', ['from_a']), 'b.ts': dagSource('dup', ['from_b']) });
    await dags.scan();
    expect(dags.get('dup')?.file).toBe('a.ts');
    expect(taskIds(dags, 'dup')).toEqual(['from_a']);
    expect(dags.importErrors().get('b.ts')).toMatch(/^b\.ts: DAG id 'dup' is already defined in a\.ts/);

    await fixture.remove('a.ts');
    const scan = await dags.scan();
    expect(scan).toMatchObject({ changed: true, updated: ['dup'], errors: new Map() });
    expect(dags.get('dup')?.file).toBe('b.ts');
  });

  it('does not treat a DAG re-exported by another file as a duplicate', async () => {
    const { dags } = await setup({ 'a.ts': dagSource('etl', ['a']), 'b.ts': `export { default as etl } from './a.ts';\n` });
    await dags.scan();
    expect(dags.importErrors()).toEqual(new Map());
    expect(dags.get('etl')?.file).toBe('a.ts');
  });

  it('removes the DAGs of a deleted file', async () => {
    const { fixture, dags } = await setup({ 'one.ts': dagSource('one', ['a']), 'two.ts': dagSource('two', ['a']) });
    await dags.scan();
    await fixture.remove('two.ts');
    const scan = await dags.scan();
    expect(scan).toMatchObject({ changed: true, added: [], updated: [], removed: ['two'] });
    expect(dags.get('two')).toBeUndefined();
    expect(dags.list().map((d) => d.id)).toEqual(['one']);
  });

  it('drops the DAGs of a file that breaks and restores them when it is fixed', async () => {
    const logger = new MemoryLogger();
    const { fixture, dags } = await setup({ 'etl.ts': dagSource('etl', ['a']), 'other.ts': dagSource('other', ['a']) }, { logger });
    await dags.scan();
    await fixture.write('etl.ts', `${dagSource('etl', ['a'])}\nthis is not typescript\n`);
    const broken = await dags.scan();
    expect(broken).toMatchObject({ changed: true, removed: ['etl'], updated: [] });
    expect(broken.errors.get('etl.ts')).toMatch(/^etl\.ts: syntax error at etl\.ts:\d+:\d+/);
    expect(dags.get('other')).toBeDefined();

    await fixture.write('etl.ts', dagSource('etl', ['a']));
    const fixed = await dags.scan();
    expect(fixed).toMatchObject({ changed: true, added: ['etl'], removed: [], errors: new Map() });
    expect(logger.lines.some((l) => l.message === 'DAG file import error resolved' && l.fields.file === 'etl.ts')).toBe(true);
  });

  it('skips node_modules, dot-directories, helpers, tests, declarations and filtered files', async () => {
    const broken = 'this is not typescript';
    const { dags } = await setup(
      {
        'main.ts': dagSource('main', ['a']),
        'node_modules/pkg/index.ts': broken,
        '.cache/x.ts': broken,
        '_helpers.ts': broken,
        'main.test.ts': broken,
        'types.d.ts': broken,
        'notes.md': broken,
        'legacy/old.ts': dagSource('old', ['a']),
      },
      { fileFilter: (path) => !path.startsWith('legacy/') },
    );
    await dags.scan();
    expect(dags.list().map((d) => d.id)).toEqual(['main']);
    expect(dags.importErrors()).toEqual(new Map());
  });

  it('serialises concurrent scans', async () => {
    const { dags } = await setup({ 'etl.ts': dagSource('etl', ['a']) });
    const [first, second] = await Promise.all([dags.scan(), dags.scan()]);
    expect(first.changed).toBe(true);
    expect(first.added).toEqual(['etl']);
    expect(second.changed).toBe(false);
  });

  it('rejects when the folder does not exist', async () => {
    const dags = new DagFolder({ dir: '/nonexistent/sluice-dags' });
    await expect(dags.scan()).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

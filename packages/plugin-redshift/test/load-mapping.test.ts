import { describe, expect, it } from 'vitest';
import { s3ToRedshift, WarehouseLoadError } from '../src/index.js';
import { BUCKET, jsonl, putObject, tableRows, useLoadEnv } from './support/load-fixtures.js';

const env = useLoadEnv();

describe("JSON 'auto ignorecase'", () => {
  it('matches top-level keys to columns case-insensitively; missing → NULL; nested → JSON; unknown keys ignored', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query(`CREATE TABLE "Posts" ("Id" bigint, title text, score double precision, "isDeleted" boolean,
      meta jsonb, tags json, raw_payload text, created date, "Label" varchar(10))`);
    await putObject(s3Hook, 'posts/a.jsonl', jsonl([
      { ID: 1, Title: 'Hello\tworld\n"quoted" \\ back', SCORE: 1.5, isdeleted: false, Meta: { a: { b: [1, 2] } }, TAGS: ['x', 'y'], raw_payload: { k: 1 }, created: '2026-04-05', extra: 'ignored' },
      { id: 2 },
    ]) + '\n\n');
    await putObject(s3Hook, 'posts/b.jsonl.gz', jsonl([{ id: 3, meta: 'a string', tags: 7, label: 'é'.repeat(10), ISDELETED: true, score: null }]));
    const out = await s3ToRedshift({ bucket: BUCKET, prefix: 'posts/', table: 'Posts' }).run(context(), {});
    expect(out).toMatchObject({ table: 'public.Posts', rowsLoaded: 3, objectsRead: 2, truncatedValues: 0 });
    expect(await tableRows(wh, '"Posts"', '"Id"')).toEqual([
      {
        Id: '1',
        title: 'Hello\tworld\n"quoted" \\ back',
        score: 1.5,
        isDeleted: false,
        meta: { a: { b: [1, 2] } },
        tags: ['x', 'y'],
        raw_payload: '{"k":1}',
        created: expect.stringMatching(/^2026-04-0[45]T/),
        Label: null,
      },
      { Id: '2', title: null, score: null, isDeleted: null, meta: null, tags: null, raw_payload: null, created: null, Label: null },
      { Id: '3', title: null, score: null, isDeleted: true, meta: 'a string', tags: 7, raw_payload: null, created: null, Label: 'é'.repeat(10) },
    ]);
  });

  it('reads objects that span lines (Redshift reads concatenated JSON); a refused value names the line its object ends on', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query('CREATE TABLE pretty (id integer, doc jsonb)');
    const pretty = (value: unknown): string => JSON.stringify(value, null, 2);
    await putObject(s3Hook, 'pretty/ok.json', `${pretty({ id: 1, doc: { a: [1, 2] } })}\n${pretty({ id: 2 })}{"id":3}`);
    await s3ToRedshift({ bucket: BUCKET, keys: ['pretty/ok.json'], table: 'pretty' }).run(context(), {});
    expect(await tableRows(wh, 'pretty', 'id')).toEqual([{ id: 1, doc: { a: [1, 2] } }, { id: 2, doc: null }, { id: 3, doc: null }]);

    await putObject(s3Hook, 'pretty/bad.json', `${pretty({ id: 4 })}\n${pretty({ doc: 1, id: 'x' })}\n`);
    const error = await s3ToRedshift({ bucket: BUCKET, keys: ['pretty/bad.json'], table: 'pretty' }).run(context(), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WarehouseLoadError', object: 's3://lake/pretty/bad.json', line: 7, column: 'id' });
    expect((await tableRows(wh, 'pretty', 'id')).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('maps through a JSONPaths file, one path per column', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query('CREATE TABLE authors (author_id integer, name text, first_tag text)');
    await putObject(s3Hook, 'config/authors.jsonpaths', JSON.stringify({ jsonpaths: ["$.author['id']", '$.author.name', '$.tags[0]'] }));
    await putObject(s3Hook, 'authors/1.jsonl', jsonl([{ author: { id: 5, name: 'Ann' }, tags: ['t1', 't2'] }, { author: { id: 6 } }]));
    await s3ToRedshift({ bucket: BUCKET, keys: ['authors/1.jsonl'], table: 'authors', jsonPaths: 's3://lake/config/authors.jsonpaths' }).run(context(), {});
    expect(await tableRows(wh, 'authors', 'author_id')).toEqual([
      { author_id: 5, name: 'Ann', first_tag: 't1' },
      { author_id: 6, name: null, first_tag: null },
    ]);
    // Records that are arrays need JSONPaths ($[0]), as in Redshift.
    await putObject(s3Hook, 'config/rows.jsonpaths', JSON.stringify({ jsonpaths: ['$[0]', '$[1]', '$[2][0]'] }));
    await putObject(s3Hook, 'authors/2.json', '[7, "Bo", ["t7"]]\n[8, null, []]\n');
    await s3ToRedshift({ bucket: BUCKET, keys: ['authors/2.json'], table: 'authors', jsonPaths: 's3://lake/config/rows.jsonpaths' }).run(context(), {});
    expect((await tableRows(wh, 'authors', 'author_id')).slice(2)).toEqual([
      { author_id: 7, name: 'Bo', first_tag: 't7' },
      { author_id: 8, name: null, first_tag: null },
    ]);
  });
});

describe('CSV', () => {
  it('skips the header lines, maps fields by position to the column list, reads gzip; unquoted empty is NULL', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query('CREATE TABLE scores (id integer, player text, points integer, note text)');
    await putObject(s3Hook, 'csv/day1.csv', 'id,player,points\n1,ann,10\n2,"bob, jr",\n');
    await putObject(s3Hook, 'csv/day2.csv.gz', 'id,player,points\n3,"",30\n4,"multi\nline",40\n');
    const load = s3ToRedshift({ bucket: BUCKET, keys: ['csv/day1.csv', 'csv/day2.csv.gz'], table: 'scores', format: 'csv', columns: ['id', 'player', 'points'] });
    const out = await load.run(context(), {});
    expect(out).toMatchObject({ rowsLoaded: 4, objectsRead: 2 });
    expect(await tableRows(wh, 'scores', 'id')).toEqual([
      { id: 1, player: 'ann', points: 10, note: null },
      { id: 2, player: 'bob, jr', points: null, note: null },
      { id: 3, player: '', points: 30, note: null },
      { id: 4, player: 'multi\nline', points: 40, note: null },
    ]);
  });

  it('honours another delimiter and ignoreHeader 0', async () => {
    const { wh, s3Hook, context } = env();
    await wh.query('CREATE TABLE pipes (a text, b integer)');
    await putObject(s3Hook, 'pipes/1.csv', 'x|1\ny|2\n');
    await s3ToRedshift({ bucket: BUCKET, prefix: 'pipes/', table: 'pipes', format: 'csv', csv: { delimiter: '|', ignoreHeader: 0 } }).run(context(), {});
    expect(await tableRows(wh, 'pipes', 'b')).toEqual([{ a: 'x', b: 1 }, { a: 'y', b: 2 }]);
  });
});

describe('long text', () => {
  const stage = async (): Promise<void> => {
    const { wh, s3Hook } = env();
    await wh.query('DROP TABLE IF EXISTS notes');
    await wh.query('CREATE TABLE notes (id integer, code char(3), body varchar(5))');
    await putObject(s3Hook, 'notes/1.jsonl', jsonl([{ id: 1, code: 'ab', body: 'short' }, { id: 2, code: 'abcd', body: 'ünïcödé!' }, { id: 3, body: 'sixsix' }]));
  };

  it('truncate: cuts values to their column width (in characters) and counts them', async () => {
    const { wh, context } = env();
    await stage();
    const out = await s3ToRedshift({ bucket: BUCKET, prefix: 'notes/', table: 'notes', longText: 'truncate' }).run(context(), {});
    expect(out.truncatedValues).toBe(3);
    expect(await tableRows(wh, 'notes', 'id')).toEqual([
      { id: 1, code: 'ab ', body: 'short' },
      { id: 2, code: 'abc', body: 'ünïcö' },
      { id: 3, code: null, body: 'sixsi' },
    ]);
  });

  it('fail: refuses naming the object, line and column, and loads nothing', async () => {
    const { wh, context } = env();
    await stage();
    const error = await s3ToRedshift({ bucket: BUCKET, prefix: 'notes/', table: 'notes' }).run(context(), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseLoadError);
    expect(error).toMatchObject({ object: 's3://lake/notes/1.jsonl', line: 2, column: 'code' });
    expect((error as Error).message).toBe(
      'load failed at s3://lake/notes/1.jsonl, line 2, column code: value of 4 characters is longer than character(3)',
    );
    expect((await wh.query('SELECT count(*)::int AS n FROM notes')).rows[0]).toEqual({ n: 0 });
  });
});

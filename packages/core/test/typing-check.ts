import { z } from 'zod';
import { dag, chain } from '../src/index.js';

const d = dag({ id: 'etl', schedule: '@daily', start: '2026-01-01', params: z.object({ sub: z.string().default('aww') }) });
const extract = d.task('extract', async (ctx) => {
  const s: string = ctx.params.sub;
  return [{ id: s, n: 1 }];
});
const count = d.task('count', { inputs: { rows: extract }, retries: 2 }, async (_ctx, { rows }) => rows.map((r) => r.n));
const mapped = d.map('double', count, {}, async (_ctx, item) => item * 2);
const sum = d.task('sum', { inputs: { doubled: mapped } }, (_ctx, { doubled }) => doubled.reduce((a, b) => a + b, 0));
// @ts-expect-error rows is number[] not string
d.task('bad', { inputs: { c: count } }, (_ctx, { c }) => c.toUpperCase());
const g = d.group('g', (b) => b.task('inner', async () => 'x'));
chain(sum, g);
export default d;

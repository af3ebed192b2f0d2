/**
 * A first Sluice DAG: every 10 minutes, "extract" a batch of numbers, square each one in a mapped task,
 * branch on the total, and report. Runs offline with no configuration.
 */
import { z } from 'zod';
import { chain, dag } from '@sluice/core';

const hello = dag({
  id: 'hello_sluice',
  description: 'Extract, map, branch and report: a tour of the authoring API',
  schedule: '*/10 * * * *',
  start: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example'],
  params: z.object({ batchSize: z.number().int().min(1).max(100).default(5) }),
  defaultTaskOptions: { retries: 2, retryDelay: '10s', exponentialBackoff: true },
});

const extract = hello.task('extract', async (ctx) => {
  const numbers = Array.from({ length: ctx.params.batchSize }, (_, i) => i + 1);
  ctx.log.info('extracted numbers', { count: numbers.length, interval: `${ctx.dataIntervalStart.toISOString()}..${ctx.dataIntervalEnd.toISOString()}` });
  return numbers;
});

const square = hello.map('square', extract, { maxActiveMapped: 4 }, async (_ctx, n) => n * n);

const total = hello.task('total', { inputs: { squares: square } }, async (ctx, { squares }) => {
  const sum = squares.reduce((a, b) => a + b, 0);
  ctx.log.info('sum of squares', { sum });
  return sum;
});

const decide = hello.branch('decide', { inputs: { total } }, async (_ctx, { total: sum }) => (sum > 50 ? 'report_big' : 'report_small'));

const big = hello.task('report_big', { inputs: { total } }, async (ctx, { total: sum }) => {
  ctx.log.info(await ctx.render('{{ ds }}: big total'), { sum });
  return { size: 'big', sum };
});
const small = hello.task('report_small', { inputs: { total } }, async (ctx, { total: sum }) => {
  ctx.log.info(await ctx.render('{{ ds }}: small total'), { sum });
  return { size: 'small', sum };
});

const done = hello.task('done', { triggerRule: 'none_failed_min_one_success' }, async (ctx) => {
  ctx.log.info('run finished', { runId: ctx.runId });
});

chain(total, decide, [big, small], done);

export default hello;

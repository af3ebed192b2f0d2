import { setTimeout as delay } from 'node:timers/promises';
import { dag, formatConnectionUri } from '@sluice/core';
import { testDag } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { WarehouseIdentifierError, rowCountCheck, sqlOperator, tableSensor } from '../src/index.js';
import { contextFor, useWarehouseDb } from './support/warehouse-db.js';

describe('redshift.table-sensor on a real Postgres database', () => {
  const wh = useWarehouseDb();

  it('pokes false until the table appears, then succeeds', async () => {
    const ctx = contextFor([wh().connection]);
    const sensor = tableSensor({ table: 'landing.orders' });
    expect(await sensor.poke(ctx, {})).toBe(false);
    await wh().hook.query('CREATE SCHEMA landing');
    expect(await sensor.poke(ctx, {})).toBe(false);
    await wh().hook.query('CREATE TABLE landing.orders (id int, dt date)');
    expect(await sensor.poke(ctx, {})).toEqual({ done: true, output: { table: 'landing.orders' } });
  });

  it('with minRows (and a partition) waits for enough rows', async () => {
    const ctx = contextFor([wh().connection], { ds: '2026-02-01' });
    await wh().hook.query('CREATE TABLE sensed (id int, dt date)');
    const sensor = tableSensor({ table: 'sensed', minRows: 2, partitionColumn: 'dt', partitionValue: '{{ ds }}' });
    expect(await sensor.poke(ctx, {})).toBe(false);
    await wh().hook.query(`INSERT INTO sensed VALUES (1, '2026-02-01'), (2, '2026-01-31')`);
    expect(await sensor.poke(ctx, {})).toBe(false);
    await wh().hook.query(`INSERT INTO sensed VALUES (3, '2026-02-01')`);
    expect(await sensor.poke(ctx, {})).toEqual({ done: true, output: { table: 'public.sensed', rowCount: 2 } });
  });

  it('refuses a bad table name when poking', async () => {
    const ctx = contextFor([wh().connection]);
    await expect(tableSensor({ table: 'bad"name' }).poke(ctx, {})).rejects.toThrow(WarehouseIdentifierError);
  });

  it('in a DAG: the sensor waits for a table created meanwhile, then the check and transform run', async () => {
    const d = dag({ id: 'sensor_dag', schedule: null });
    const wait = d.sensor('wait', { mode: 'poke', pokeInterval: '1s', sensorTimeout: '60s' }, tableSensor({ table: 'arrivals', minRows: 1 }));
    const check = d.task('check', { upstream: [wait] }, rowCountCheck({ table: 'arrivals', partitionColumn: 'dt', partitionValue: '{{ ds }}', minRows: 1 }));
    d.task('summarise', { upstream: [check] }, sqlOperator({ sql: 'CREATE TABLE arrivals_summary AS SELECT dt, COUNT(*) AS n FROM arrivals GROUP BY dt' }));
    const env = { SLUICE_CONN_REDSHIFT_DEFAULT: formatConnectionUri(wh().connection) };
    const running = testDag(d, { logicalDate: new Date('2026-02-03T00:00:00Z'), env, timeoutMs: 60_000 });
    await delay(1500);
    await wh().hook.query(`CREATE TABLE arrivals AS SELECT 1 AS id, DATE '2026-02-03' AS dt`);
    const result = await running;
    expect(result.state, JSON.stringify(result.tasks.map((t) => [t.taskId, t.state, t.error]))).toBe('success');
    expect(result.tasks.find((t) => t.taskId === 'wait')?.output).toEqual({ table: 'public.arrivals', rowCount: 1 });
    expect(result.tasks.find((t) => t.taskId === 'check')?.output).toEqual({ table: 'public.arrivals', rowCount: 1, minRows: 1 });
    expect((await wh().hook.query('SELECT n::int AS n FROM arrivals_summary')).rows).toEqual([{ n: 1 }]);
  });
});

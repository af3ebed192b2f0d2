/** `redshift.table-sensor`: waits until a warehouse table exists and, optionally, holds at least N rows. */
import { defineSensor } from '@sluice/core';
import { z } from 'zod';
import { WarehouseHook } from '../hook.js';
import { displayTable } from '../identifiers.js';
import { countRows, refineScope, scopeFields, scopeFilter } from '../operators/checks.js';

/** Fields of {@link tableSensor}. */
export const tableSensorFields = z
  .object({
    ...scopeFields,
    /** Rows needed (in the partition / data interval when one is given). Default 0: the table only has to exist. */
    minRows: z.number().int().min(0).default(0),
  })
  .superRefine(refineScope);

/** Output of {@link tableSensor}: the table and, when rows were counted, how many there were. */
export interface TableSensorOutput {
  table: string;
  rowCount?: number;
}

/**
 * Waits until the table exists and (with `minRows`) holds at least that many rows, optionally in one
 * partition (`partitionColumn` = bound `partitionValue`) or in the run's data interval (`intervalColumn`).
 * Mode, poke interval and timeout are set per task in the DAG.
 *
 * ```ts
 * d.sensor('wait_events', { mode: 'reschedule', pokeInterval: '5m' },
 *   tableSensor({ table: 'staging.events', partitionColumn: 'dt', partitionValue: '{{ ds }}', minRows: 1 }));
 * ```
 */
export const tableSensor = defineSensor({
  name: 'redshift.table-sensor',
  fields: tableSensorFields,
  templateFields: ['table', 'partitionValue'],
  async poke(ctx, fields) {
    const hook = await WarehouseHook.fromContext(ctx, fields.connId, { poolMax: 1 });
    try {
      const filter = scopeFilter(fields, hook.dialect, ctx);
      if (!(await hook.tableExists(filter.ref))) {
        ctx.log.debug('table does not exist yet', { table: displayTable(filter.ref) });
        return false;
      }
      const output: TableSensorOutput = { table: displayTable(filter.ref) };
      if (fields.minRows === 0) return { done: true as const, output };
      const rowCount = await countRows(hook, filter);
      ctx.log.debug('rows in table', { table: output.table, rowCount, needed: fields.minRows });
      return rowCount >= fields.minRows ? { done: true as const, output: { ...output, rowCount } } : false;
    } finally {
      await hook.close();
    }
  },
});

/**
 * Runs a {@link LoadPlan} on one connection in one transaction: the statements before the COPY, the COPY
 * (given by the caller: Redshift's `COPY … FROM 's3://…'` or Postgres' streamed `COPY … FROM STDIN`), the
 * statements after it. Any failure rolls everything back, so the target is either fully loaded or unchanged.
 */
import { WarehouseLoadError } from '../errors.js';
import type { WarehouseClient } from '../hook.js';
import type { LoadPlan, StatementRole } from './load-modes.js';

/** What the COPY step reports. */
export interface CopyStepResult {
  rowsCopied: number;
  objectsRead: number;
}

/** Counts of an executed plan. */
export interface PlanCounts extends CopyStepResult {
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  /** Staged rows dropped by the merge's de-duplication. */
  duplicatesDropped: number;
}

/** The count a statement reports: its row count, or the `n` of a `SELECT count(*) AS n`. */
function countOf(result: { rows: Record<string, unknown>[]; rowCount: number }, role: StatementRole): number {
  if (role === 'outside' || role === 'null-keys' || role === 'matched') return Number(result.rows[0]?.n ?? 0);
  return result.rowCount;
}

/**
 * Runs `plan` with `copy` between its halves, in `BEGIN … COMMIT` on `client`. On failure the transaction
 * is rolled back and `onCopyError` (when given) may replace a COPY error with a more precise one — it runs
 * after the rollback, on the same session (where Redshift's load error tables can be read).
 * @throws WarehouseLoadError when staged rows fall outside the replaced partition or have a NULL merge
 *   key, or the COPY refused a row.
 */
export async function executeLoadPlan(
  client: WarehouseClient,
  plan: LoadPlan,
  copy: (client: WarehouseClient) => Promise<CopyStepResult>,
  onCopyError?: (error: unknown) => Promise<unknown>,
): Promise<PlanCounts> {
  const roles = new Map<StatementRole, number>();
  let copied: CopyStepResult = { rowsCopied: 0, objectsRead: 0 };
  let copyFailed = false;
  await client.query('BEGIN');
  try {
    for (const statement of plan.before) await client.query(statement.text, statement.values);
    try {
      copied = await copy(client);
    } catch (error) {
      copyFailed = true;
      throw error;
    }
    for (const statement of plan.after) {
      const result = await client.query<Record<string, unknown>>(statement.text, statement.values);
      if (statement.role === undefined) continue;
      const count = countOf(result, statement.role);
      roles.set(statement.role, count);
      if (statement.role === 'outside' && count > 0) {
        throw new WarehouseLoadError({ reason: `${count} loaded row(s) are outside the partition being replaced (${statement.label ?? 'partition'}) or have no partition value` });
      }
      if (statement.role === 'null-keys' && count > 0) {
        throw new WarehouseLoadError({ reason: `${count} loaded row(s) have a NULL merge key` });
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (copyFailed && onCopyError) throw await onCopyError(error);
    throw error;
  }
  const deduped = roles.get('deduped');
  const matched = roles.get('matched') ?? 0;
  const merged = deduped !== undefined;
  return {
    ...copied,
    rowsDeleted: roles.get('deleted') ?? 0,
    rowsUpdated: merged ? matched : 0,
    rowsInserted: merged ? deduped - matched : (roles.get('inserted') ?? copied.rowsCopied),
    duplicatesDropped: merged ? copied.rowsCopied - deduped : 0,
  };
}

/** Field mapping of the DynamoDB loader: builds each item from chosen fields of a source record. */

/** Item attribute → source field, as a dotted path into the record (`user.id`). */
export type FieldMap = Readonly<Record<string, string>>;

function valueAt(record: unknown, path: string): unknown {
  let value = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The item holding exactly the mapped attributes, each read from its source path. Paths that lead nowhere
 * leave the attribute out (a missing key attribute is then reported by the key check). A record that is
 * not an object is returned as it is, so the key check can report it.
 */
export function mapFields(record: unknown, fieldMap: FieldMap): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  const item: Record<string, unknown> = {};
  for (const [attribute, path] of Object.entries(fieldMap)) {
    const value = valueAt(record, path);
    if (value !== undefined) item[attribute] = value;
  }
  return item;
}
